package io.customerstudio.app.journeys.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.component.dependency.NpmPackage;
import com.vaadin.flow.component.react.ReactAdapterComponent;
import java.util.function.Consumer;

/**
 * The journey canvas ({@code journey-canvas.tsx}: @xyflow/react through Vaadin's React adapter). It
 * draws the graph it is given ({@link JourneyGraph#render}) and reports what the person did; it
 * holds no journey of its own. Each report's detail is JSON text, handed to the listener parsed.
 */
@Tag("journey-canvas")
@NpmPackage(value = "@xyflow/react", version = "12.12.1")
@NpmPackage(value = "@dagrejs/dagre", version = "3.1.3")
@JsModule("./journey-canvas.tsx")
public class JourneyCanvas extends ReactAdapterComponent implements HasSize {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the person did on the canvas. */
  public enum Action {
    SELECT("journey-select"),
    MOVE("journey-move"),
    CONNECT("journey-connect"),
    DISCONNECT("journey-disconnect"),
    DELETE("journey-delete"),
    ADD("journey-add");

    final String event;

    Action(String event) {
      this.event = event;
    }
  }

  private String graph = "";

  public JourneyCanvas() {
    setState("graph", "");
  }

  /**
   * Draws this graph (the JSON of {@link JourneyGraph#render}); the same graph again is a no-op.
   */
  void show(String graph) {
    if (!graph.equals(this.graph)) {
      this.graph = graph;
      setState("graph", graph);
    }
  }

  /** What the canvas draws now (for tests). */
  public String graph() {
    return graph;
  }

  void on(Action action, Consumer<JsonNode> listener) {
    getElement()
        .addEventListener(
            action.event,
            e -> {
              String detail = e.getEventData().getString("event.detail");
              try {
                listener.accept(JSON.readTree(detail));
              } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalArgumentException("canvas event " + action + " is not JSON", ex);
              }
            })
        .addEventData("event.detail");
  }
}
