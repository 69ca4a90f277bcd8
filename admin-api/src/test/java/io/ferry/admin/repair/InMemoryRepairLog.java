package io.ferry.admin.repair;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The repair service's state in memory. */
final class InMemoryRepairLog implements RepairLog {

  private RepairStore.ServiceState service = new RepairStore.ServiceState(false, 0, 0, null, null);
  private final Map<Integer, Map<Integer, RepairSegment>> cycles = new TreeMap<>();

  @Override
  public synchronized RepairStore.ServiceState service() {
    return service;
  }

  @Override
  public synchronized void setEnabled(boolean enabled, long timeToCompletion) {
    service =
        new RepairStore.ServiceState(
            enabled, timeToCompletion, service.cycle(), service.cycleStarted(), service.ring());
  }

  @Override
  public synchronized void startCycle(
      int cycle, Instant started, String ring, List<RepairSegment> segments) {
    service =
        new RepairStore.ServiceState(
            service.enabled(), service.timeToCompletion(), cycle, started, ring);
    Map<Integer, RepairSegment> byId = new TreeMap<>();
    segments.forEach(segment -> byId.put(segment.id(), segment));
    cycles.put(cycle, byId);
  }

  @Override
  public synchronized void save(RepairSegment segment) {
    cycles.computeIfAbsent(segment.cycle(), ignored -> new TreeMap<>()).put(segment.id(), segment);
  }

  @Override
  public synchronized List<RepairSegment> segments(int cycle) {
    return new ArrayList<>(cycles.getOrDefault(cycle, Map.of()).values());
  }
}
