package io.ferry.proxy.segment;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Embedded channels that are finished, and whatever they still hold released, after each test,
 * including one that failed half-way: its leftovers would otherwise be reported as leaks of a later
 * test class.
 */
final class OpenChannels implements AfterEachCallback {

  private final List<EmbeddedChannel> channels = new ArrayList<>();

  EmbeddedChannel open(ChannelHandler... handlers) {
    EmbeddedChannel channel = new EmbeddedChannel(handlers);
    channels.add(channel);
    return channel;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    channels.clear();
  }
}
