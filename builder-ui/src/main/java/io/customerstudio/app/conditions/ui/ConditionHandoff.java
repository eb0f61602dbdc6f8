package io.customerstudio.app.conditions.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.vaadin.flow.server.VaadinSession;

/**
 * Hands a condition from one view to another in the same session ("save this group as a template"
 * opens the template editor with it), so neither view imports the other.
 */
public final class ConditionHandoff {

  /** A condition and the model its columns belong to. */
  public record Draft(JsonNode condition, String model) {}

  private ConditionHandoff() {}

  public static void put(JsonNode condition, String model) {
    VaadinSession.getCurrent().setAttribute(Draft.class, new Draft(condition, model));
  }

  /** The handed condition, once: taking it clears it. */
  public static Draft take() {
    VaadinSession session = VaadinSession.getCurrent();
    Draft d = session.getAttribute(Draft.class);
    session.setAttribute(Draft.class, null);
    return d;
  }
}
