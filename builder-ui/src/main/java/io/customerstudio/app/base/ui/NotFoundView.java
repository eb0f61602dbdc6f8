package io.customerstudio.app.base.ui;

import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.ErrorParameter;
import com.vaadin.flow.router.HasErrorParameter;
import com.vaadin.flow.router.NotFoundException;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.ParentLayout;
import com.vaadin.flow.server.HttpStatusCode;
import jakarta.annotation.security.PermitAll;

/** An address no page answers: says so inside the app, with the navigation and a way back. */
@ParentLayout(MainLayout.class)
@PageTitle("No such page · Customer Studio")
@PermitAll
public class NotFoundView extends ErrorPage implements HasErrorParameter<NotFoundException> {

  @Override
  public int setErrorParameter(BeforeEnterEvent event, ErrorParameter<NotFoundException> error) {
    show(
        "No such page",
        "There is no page at /"
            + event.getLocation().getPath()
            + ". Pick one from the menu, or go to the dashboard.");
    return HttpStatusCode.NOT_FOUND.getCode();
  }
}
