package io.customerstudio.app;

import com.vaadin.flow.component.page.AppShellConfigurator;
import com.vaadin.flow.component.page.Push;
import com.vaadin.flow.server.PWA;
import com.vaadin.flow.theme.Theme;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Customer Studio: the UI, the REST API and the Temporal worker in one process. */
@SpringBootApplication(scanBasePackages = "io.customerstudio")
@Theme("studio")
@Push
// No offline mode: the UI needs the server anyway, and its service worker answered every navigation
// in its scope, /swagger-ui.html included, with the app's page ("Could not navigate"). Without it,
// Vaadin's page unregisters a worker that a browser installed before.
@PWA(name = "Customer Studio", shortName = "Studio", offline = false)
public class CustomerStudioApplication implements AppShellConfigurator {

  public static void main(String[] args) {
    SpringApplication.run(CustomerStudioApplication.class, args);
  }
}
