package io.customerstudio.app.audiences.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.component.select.Select;
import io.customerstudio.app.api.ApiException;
import io.customerstudio.app.audiences.AudienceService;
import io.customerstudio.app.audiences.PreviewRunner;
import io.customerstudio.query.engine.AudienceEngine;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The live size of the audience being edited: recomputed after each edit (debounced), off the UI
 * thread, with a Stop button while it runs, and an opt-in estimate from a sample that is always
 * labelled as one. While an exact count runs, a 1% sample runs beside it, and its estimate
 * (labelled) shows until the exact count replaces it: on a large warehouse a number appears in well
 * under a second.
 */
final class SizePanel extends Div {

  static final Duration DEBOUNCE = Duration.ofMillis(300);

  /**
   * A size as shown: the preview, the moment relative windows were resolved against, and the
   * definition it counted (a copy), so others (explain, the list's size) can tell whether it still
   * describes what is being edited.
   */
  record Counted(AudienceEngine.Preview preview, Instant asOf, JsonNode definition) {
    long count() {
      return preview.count();
    }

    boolean estimated() {
      return preview.estimated();
    }
  }

  private final AudienceService audiences;
  private final Supplier<JsonNode> definition;
  private final Consumer<List<ApiException.FieldError>> onProblems;
  private final Consumer<Counted> onResult;
  private final Computation<Counted> computation;
  private final Span count = new Span("–");
  private final Span caption = new Span();
  private final ProgressBar progress = new ProgressBar();
  private final Button stop = new Button("Stop", VaadinIcon.STOP.create());
  private final Checkbox sampled = new Checkbox("Estimate from a sample");
  private final Select<Integer> percent = new Select<>();

  SizePanel(
      AudienceService audiences,
      PreviewRunner runner,
      Supplier<JsonNode> definition,
      Consumer<List<ApiException.FieldError>> onProblems,
      Consumer<Counted> onResult) {
    this.audiences = audiences;
    this.definition = definition;
    this.onProblems = onProblems;
    this.onResult = onResult;
    addClassName("size-panel");
    setId("size-panel");
    count.setId("audience-size");
    count.addClassName("size-count");
    caption.setId("audience-size-caption");
    caption.addClassName("size-caption");
    progress.setIndeterminate(true);
    progress.setVisible(false);
    progress.setId("size-progress");
    stop.setId("size-stop");
    stop.addThemeVariants(ButtonVariant.LUMO_SMALL, ButtonVariant.LUMO_ERROR);
    stop.setVisible(false);
    sampled.setId("size-sampled");
    percent.setItems(1, 5, 10, 25);
    percent.setValue(1);
    percent.setItemLabelGenerator(p -> p + "%");
    percent.setAriaLabel("Sample size");
    percent.setWidth("6em");
    percent.setEnabled(false);
    sampled.addValueChangeListener(
        e -> {
          percent.setEnabled(e.getValue());
          refresh(Duration.ZERO);
        });
    percent.addValueChangeListener(e -> refresh(Duration.ZERO));
    computation =
        new Computation<>(
            runner,
            new Computation.Listener<>() {
              @Override
              public void started() {
                progress.setVisible(true);
                stop.setVisible(true);
                caption.setText("counting…");
              }

              @Override
              public void done(Counted counted) {
                AudienceEngine.Preview p = counted.preview();
                idle();
                count.setText(NumberFormat.getIntegerInstance(Locale.ENGLISH).format(p.count()));
                count.getElement().setAttribute("data-count", String.valueOf(p.count()));
                count.getElement().setAttribute("data-estimated", String.valueOf(p.estimated()));
                caption.setText(
                    p.estimated()
                        ? "estimated members (from a "
                            + percent.getValue()
                            + "% sample: "
                            + NumberFormat.getIntegerInstance(Locale.ENGLISH)
                                .format(p.sampleCount())
                            + " members in it)"
                        : "members");
                onProblems.accept(List.of());
                onResult.accept(counted);
              }

              @Override
              public void invalid(List<ApiException.FieldError> problems) {
                idle();
                count.setText("–");
                count.getElement().removeAttribute("data-count");
                caption.setText("Fix the conditions marked in red to see the size.");
                onProblems.accept(problems);
              }

              @Override
              public void failed(String message) {
                idle();
                count.setText("–");
                count.getElement().removeAttribute("data-count");
                caption.setText(message);
              }
            });
    stop.addClickListener(e -> computation.stop());
    HorizontalLayout sampling = new HorizontalLayout(sampled, percent);
    sampling.setDefaultVerticalComponentAlignment(FlexComponent.Alignment.BASELINE);
    Span title = new Span("Size");
    title.addClassName("size-title");
    add(title, count, caption, progress, stop, sampling);
  }

  private void idle() {
    count.getElement().removeAttribute("data-estimate");
    progress.setVisible(false);
    stop.setVisible(false);
    // "idle" once the newest request is answered: what tests and screen readers wait for
    getElement().setAttribute("data-state", "idle");
    getElement().setAttribute("aria-busy", "false");
  }

  /**
   * Recomputes after the debounce delay; an earlier request still waiting or running is dropped.
   */
  void refresh() {
    refresh(DEBOUNCE);
  }

  private void refresh(Duration delay) {
    UI ui = UI.getCurrent();
    if (ui == null) {
      return;
    }
    getElement().setAttribute("data-state", "busy");
    getElement().setAttribute("aria-busy", "true");
    JsonNode snapshot = definition.get().deepCopy();
    // one moment for the estimate and the exact count, which explain reuses to agree with them
    Instant asOf = audiences.now();
    AudienceEngine.Sampling sampling =
        sampled.getValue() ? new AudienceEngine.Sampling(percent.getValue(), 42) : null;
    AudienceService.Target target = new AudienceService.Target(snapshot, null);
    computation.start(
        ui,
        delay,
        handle -> {
          if (sampling == null && !audiences.exactCountsAreFast()) {
            // a 1% sample answers long before the exact count on a large row-store warehouse:
            // show its estimate (labelled) first; access tasks run in order, so it never replaces
            // the exact count. On a columnar warehouse the exact count is about as fast, and the
            // sample would only delay it.
            AudienceEngine.Preview estimate =
                audiences.preview(
                    target, asOf, new AudienceEngine.Sampling(1, 42), 0, List.of(), handle);
            ui.access(
                () -> {
                  if (!handle.isCancelled()) {
                    showEstimate(estimate);
                  }
                });
          }
          return new Counted(
              audiences.preview(target, asOf, sampling, 0, List.of(), handle), asOf, snapshot);
        });
  }

  private void showEstimate(AudienceEngine.Preview p) {
    count.setText("≈ " + NumberFormat.getIntegerInstance(Locale.ENGLISH).format(p.count()));
    count.getElement().setAttribute("data-estimate", String.valueOf(p.count()));
    caption.setText("estimated from a 1% sample; the exact count is still running…");
  }

  /** Stops what runs, quietly: the builder was closed. */
  void cancel() {
    computation.cancel();
  }
}
