package io.ferry.admin.ops;

import java.util.List;

/**
 * What a job does, stored with its request so that another Ferry instance can resume it.
 *
 * @param type the request type: {@code bulk-operations}, {@code rolling-restart}, {@code rebalance}
 * @param rolling whether steps run one after the other (stopping at the first failure), else all at
 *     once
 * @param sleepSeconds pause between two steps of a rolling job
 * @param lease the lease the job holds while it runs, fleet-wide: at most one job per lease name
 */
public record JobPlan(
    String type, List<Step> steps, boolean rolling, long sleepSeconds, String lease) {

  public static final String BULK_OPERATIONS = "bulk-operations";
  public static final String ROLLING_RESTART = "rolling-restart";
  public static final String REBALANCE = "rebalance";

  public JobPlan {
    steps = List.copyOf(steps);
  }
}
