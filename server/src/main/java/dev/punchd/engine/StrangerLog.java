package dev.punchd.engine;

import dev.punchd.observe.LogAddresses;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound connections of one attempt turned away (not from a peer address, over the handshake limit, or
 * failing the hello): each at DEBUG, and at INFO at most one summary per {@link #INFO_INTERVAL_NANOS}, so
 * a flood of strangers costs no log line per connection. Thread-safe.
 */
final class StrangerLog {
  private static final Logger log = LoggerFactory.getLogger(StrangerLog.class);
  private static final long INFO_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final String connectionId;
  private int unreported; // guarded by this
  private long lastInfo; // guarded by this
  private boolean infoLogged; // guarded by this

  StrangerLog(String connectionId) {
    this.connectionId = connectionId;
  }

  void turnedAway(InetSocketAddress from, String why) {
    log.debug("connection {}: turned away inbound connection from {} ({})", connectionId, LogAddresses.of(from), why);
    int count;
    synchronized (this) {
      unreported++;
      long now = System.nanoTime();
      if (infoLogged && now - lastInfo < INFO_INTERVAL_NANOS) {
        return;
      }
      infoLogged = true;
      lastInfo = now;
      count = unreported;
      unreported = 0;
    }
    log.info("connection {}: turned away {} inbound connection(s) since the last such line, latest from {} ({})",
        connectionId, count, LogAddresses.of(from), why);
  }
}
