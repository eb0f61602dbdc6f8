package io.customerstudio.app.dashboard.api;

import io.customerstudio.app.dashboard.DashboardService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Status", description = "Connections, demo data and workspace figures")
class StatusController {

  private final DashboardService dashboard;

  StatusController(DashboardService dashboard) {
    this.dashboard = dashboard;
  }

  @GetMapping("/api/v1/status")
  @Operation(
      summary =
          "The dashboard's figures: connection health, a Temporal round trip, demo row counts, schema size")
  DashboardService.DashboardStatus status() {
    return dashboard.status();
  }
}
