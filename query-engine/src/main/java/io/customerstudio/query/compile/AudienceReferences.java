package io.customerstudio.query.compile;

import io.customerstudio.query.audience.AudienceDefinition;
import io.customerstudio.query.audience.Condition;
import io.customerstudio.query.compile.AudienceCompiler.Scope;
import java.util.Optional;
import org.jooq.impl.DSL;

/**
 * References to saved audiences: the other audience's filter compiled over the same rows (member)
 * or its exact complement (not_member, which is why every compiled condition is two-valued). The
 * other audience must select the same parent model; a cycle of references is reported.
 */
final class AudienceReferences {

  private final CompileContext cx;
  private final Conditions conditions;

  AudienceReferences(CompileContext cx, Conditions conditions) {
    this.cx = cx;
    this.conditions = conditions;
  }

  org.jooq.Condition audience(Condition.AudienceRef c, Scope s, boolean conjunctive) {
    if (c.audience() == null) {
      return DSL.falseCondition();
    }
    if (cx.audiences.cycles(c.audience(), c.path() + ".audience")) {
      return DSL.falseCondition();
    }
    Optional<AudienceDefinition> other = cx.resolver().audience(c.audience());
    if (other.isEmpty()) {
      cx.problems().add(c.path() + ".audience", "no audience \"" + c.audience() + "\"");
      return DSL.falseCondition();
    }
    if (!s.model().name().equals(other.get().parent())) {
      cx.problems()
          .add(
              c.path() + ".audience",
              "audience \""
                  + c.audience()
                  + "\" selects \""
                  + other.get().parent()
                  + "\", not \""
                  + s.model().name()
                  + "\"");
      return DSL.falseCondition();
    }
    return cx.audiences.through(
        c.audience(),
        () -> {
          // not_member negates the filter: it is then no conjunct of the WHERE, whatever its
          // position
          org.jooq.Condition inner =
              other.get().filter() == null
                  ? DSL.trueCondition()
                  : conditions.condition(other.get().filter(), s, c.member() && conjunctive);
          return c.member() ? inner : DSL.not(inner);
        });
  }
}
