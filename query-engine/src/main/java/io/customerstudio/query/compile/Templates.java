package io.customerstudio.query.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.query.Problems;
import io.customerstudio.query.audience.AudienceJson;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import io.customerstudio.query.compile.AudienceCompiler.TemplateBody;
import java.util.Map;
import java.util.Optional;
import org.jooq.impl.DSL;

/**
 * Template references: the saved template's condition with each {@code {"param": name}} hole
 * replaced by the given value, then read and compiled in place. Unknown and missing parameters are
 * reported with their paths, as are problems inside the expanded body and cycles of templates.
 */
final class Templates {

  private final CompileContext cx;
  private final Conditions conditions;

  Templates(CompileContext cx, Conditions conditions) {
    this.cx = cx;
    this.conditions = conditions;
  }

  org.jooq.Condition template(Condition.Template c, Scope s, boolean conjunctive) {
    if (c.template() == null) {
      return DSL.falseCondition();
    }
    if (cx.templates.cycles(c.template(), c.path() + ".template")) {
      return DSL.falseCondition();
    }
    Optional<TemplateBody> body = cx.resolver().template(c.template());
    if (body.isEmpty()) {
      cx.problems().add(c.path() + ".template", "no template \"" + c.template() + "\"");
      return DSL.falseCondition();
    }
    for (String given : c.params().keySet()) {
      if (!body.get().params().contains(given)) {
        cx.problems()
            .add(
                c.path() + ".params." + given,
                Problems.unknown(
                    "parameter", given, "template \"" + c.template() + "\"", body.get().params()));
      }
    }
    for (String needed : body.get().params()) {
      if (!c.params().containsKey(needed)) {
        cx.problems()
            .add(
                c.path() + ".params." + needed, "is required by template \"" + c.template() + "\"");
      }
    }
    JsonNode substituted = substitute(body.get().condition(), c.params());
    Problems inner = new Problems();
    Condition parsed =
        AudienceJson.readCondition(
            substituted, c.path() + "<template " + c.template() + ">", inner);
    inner.list().forEach(p -> cx.problems().add(p.path(), p.message()));
    return cx.templates.through(c.template(), () -> conditions.condition(parsed, s, conjunctive));
  }

  /** Replaces every {"param": name} object with that parameter's value. */
  static JsonNode substitute(JsonNode node, Map<String, JsonNode> params) {
    if (node.isObject()) {
      if (node.size() == 1 && node.has("param") && node.get("param").isTextual()) {
        JsonNode v = params.get(node.get("param").asText());
        return v == null ? NullNode.getInstance() : v;
      }
      ObjectNode copy = ((ObjectNode) node).objectNode();
      node.fields().forEachRemaining(e -> copy.set(e.getKey(), substitute(e.getValue(), params)));
      return copy;
    }
    if (node.isArray()) {
      var copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(x -> copy.add(substitute(x, params)));
      return copy;
    }
    return node;
  }
}
