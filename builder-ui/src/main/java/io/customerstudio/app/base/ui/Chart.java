package io.customerstudio.app.base.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.HasSize;
import com.vaadin.flow.component.Tag;
import com.vaadin.flow.component.dependency.JsModule;
import com.vaadin.flow.component.dependency.NpmPackage;

/**
 * An Apache ECharts chart. The server sends the chart's option (echarts' own JSON), the browser
 * draws it as SVG; the option stays readable on the server, which is what browserless tests check.
 */
@Tag("studio-chart")
@NpmPackage(value = "echarts", version = "6.1.0")
@JsModule("./studio-chart.js")
public class Chart extends Component implements HasSize {

  private ObjectNode option;

  public Chart() {
    setWidthFull();
    setHeight("320px");
  }

  public void setOption(ObjectNode option) {
    this.option = option;
    getElement().setAttribute("option", option.toString());
  }

  public ObjectNode getOption() {
    return option;
  }
}
