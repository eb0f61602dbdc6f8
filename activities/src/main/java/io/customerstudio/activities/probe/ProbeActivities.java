package io.customerstudio.activities.probe;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Checks that a worker can reach the warehouse: the smallest real unit of work. */
@ActivityInterface
public interface ProbeActivities {

  /** What the warehouse says about itself. Read-only, so retries are harmless. */
  record WarehouseInfo(String product, String version, long serverTimeMillis, String worker) {}

  @ActivityMethod
  WarehouseInfo describeWarehouse();
}
