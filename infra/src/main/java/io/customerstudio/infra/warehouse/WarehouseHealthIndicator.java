package io.customerstudio.infra.warehouse;

import java.sql.Connection;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/** Up when the warehouse accepts a connection and answers a trivial query within 5 s. */
public final class WarehouseHealthIndicator extends AbstractHealthIndicator {

  private final Warehouse warehouse;

  public WarehouseHealthIndicator(Warehouse warehouse) {
    super("Warehouse health check failed");
    this.warehouse = warehouse;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws Exception {
    try (Connection c = warehouse.dataSource().getConnection()) {
      boolean valid = c.isValid(5);
      (valid ? builder.up() : builder.down())
          .withDetail("warehouse", warehouse.description())
          .withDetail(
              "product",
              c.getMetaData().getDatabaseProductName()
                  + " "
                  + c.getMetaData().getDatabaseProductVersion());
    }
  }
}
