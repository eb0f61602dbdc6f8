package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.conditions.ConditionSources;
import io.customerstudio.query.schema.Catalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every editor of one builder shares: where choices come from, whether values may become
 * template parameters, and whom to tell when the tree changed. Lists fetched from the warehouse or
 * the store are cached for the builder's lifetime, so a tree of fifty rows asks once.
 */
public final class BuilderContext {

  private final ConditionSources sources;
  private final Catalog catalog;
  private final boolean templateMode;
  private final String self;
  private final Runnable onChange;
  private final Map<String, List<String>> suggestions = new HashMap<>();
  private final Map<JsonNode, RowFrame> frames = new IdentityHashMap<>();
  private Consumer<ObjectNode> templateSink;
  private List<ConditionSources.AudienceChoice> audiences;
  private List<ConditionSources.TemplateChoice> templates;

  /**
   * @param self the key of the audience being edited, which its own picker leaves out (null when
   *     new)
   * @param templateMode whether values may be marked as template parameters
   */
  public BuilderContext(
      ConditionSources sources, String self, boolean templateMode, Runnable onChange) {
    this.sources = sources;
    this.catalog = sources.catalog();
    this.self = self;
    this.templateMode = templateMode;
    this.onChange = onChange;
  }

  public Catalog catalog() {
    return catalog;
  }

  public boolean templateMode() {
    return templateMode;
  }

  void changed() {
    onChange.run();
  }

  /** Where "Save as template" on a group hands the group's JSON; null hides the button. */
  public void setTemplateSink(Consumer<ObjectNode> sink) {
    this.templateSink = sink;
  }

  Consumer<ObjectNode> templateSink() {
    return templateSink;
  }

  void register(JsonNode node, RowFrame frame) {
    if (frame != null) {
      frames.put(node, frame);
    }
  }

  /**
   * Shows each problem next to the row its JSON path points into (the deepest row on the path);
   * returns the messages that concern no row, for the caller to show above the builder.
   *
   * @param root the JSON that {@code prefix} names (the definition, or a template's condition)
   */
  public List<String> showProblems(
      JsonNode root, String prefix, List<ApiException.FieldError> problems) {
    frames.values().forEach(f -> f.showError(null));
    List<String> general = new ArrayList<>();
    Map<RowFrame, String> shown = new IdentityHashMap<>();
    for (ApiException.FieldError p : problems) {
      RowFrame frame = null;
      if (p.path() != null && p.path().startsWith(prefix)) {
        JsonNode at = root;
        Matcher m = STEP.matcher(p.path().substring(prefix.length()));
        while (at != null && m.find()) {
          at = m.group(1) != null ? at.get(m.group(1)) : at.get(Integer.parseInt(m.group(2)));
          RowFrame f = at == null ? null : frames.get(at);
          if (f != null && f.isAttached()) {
            frame = f;
          }
        }
      }
      if (frame == null) {
        general.add(p.message());
      } else {
        shown.merge(frame, p.message(), (a, b) -> a + "; " + b);
      }
    }
    shown.forEach(RowFrame::showError);
    return general;
  }

  private static final Pattern STEP = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_]*)|\\[(\\d+)]");

  List<ConditionSources.AudienceChoice> audiences(String parent) {
    if (audiences == null) {
      audiences = sources.audiences();
    }
    return audiences.stream()
        .filter(a -> !a.key().equals(self) && a.parent().equals(parent))
        .toList();
  }

  List<ConditionSources.TemplateChoice> templates() {
    if (templates == null) {
      templates = sources.templates();
    }
    return templates;
  }

  List<String> suggestions(String model, String column) {
    return suggestions.computeIfAbsent(
        model + "\u0000" + column,
        k -> {
          try {
            return sources.suggestions(model, column);
          } catch (RuntimeException e) {
            // suggestions are a convenience: a column the warehouse cannot group stays free text
            return List.of();
          }
        });
  }
}
