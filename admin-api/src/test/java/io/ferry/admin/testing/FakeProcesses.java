package io.ferry.admin.testing;

import io.ferry.admin.process.ProcessControl;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link ProcessControl} that records the starts and stops it is asked for. */
public final class FakeProcesses implements ProcessControl {

  private final List<String> calls = new CopyOnWriteArrayList<>();

  public List<String> calls() {
    return List.copyOf(calls);
  }

  @Override
  public void requireCommands(boolean start, boolean stop) {}

  @Override
  public void stop(String ip) {
    calls.add("stop " + ip);
  }

  @Override
  public void start(String ip, boolean waitForCql) {
    calls.add("start " + ip);
  }
}
