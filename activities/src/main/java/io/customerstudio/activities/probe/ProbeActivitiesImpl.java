package io.customerstudio.activities.probe;

import io.customerstudio.infra.warehouse.Warehouse;
import io.temporal.activity.Activity;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Reads the warehouse's product, version and clock. Idempotent: it writes nothing. */
public class ProbeActivitiesImpl implements ProbeActivities {

  private final Warehouse warehouse;

  public ProbeActivitiesImpl(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  @Override
  public WarehouseInfo describeWarehouse() {
    try (Connection c = warehouse.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                // the warehouse's wall clock now (not the transaction's start)
                warehouse.duckDb()
                    ? "select epoch_ms(get_current_timestamp())"
                    : "select (extract(epoch from clock_timestamp()) * 1000)::bigint")) {
      rs.next();
      DatabaseMetaData meta = c.getMetaData();
      return new WarehouseInfo(
          meta.getDatabaseProductName(),
          meta.getDatabaseProductVersion(),
          rs.getLong(1),
          // the SDK's default worker identity: pid@host
          ManagementFactory.getRuntimeMXBean().getName());
    } catch (SQLException e) {
      throw Activity.wrap(e);
    }
  }
}
