package dev.punchd.transport;

import java.time.Duration;

/**
 * How an established link keeps its path alive and notices a dead peer: something is sent after
 * {@code interval} without sending (a PING frame in SECURE mode, a TCP keepalive probe in RAW mode), and the
 * connection is declared lost once the peer has sent nothing for {@code peerTimeout} while this side was
 * waiting to read. Immutable.
 */
public record Keepalive(Duration interval, Duration peerTimeout) {
  /** 15 s stays under the idle timeouts of common NATs, carrier-grade ones included; 45 s is three missed pings. */
  public static final Keepalive DEFAULT = new Keepalive(Duration.ofSeconds(15), Duration.ofSeconds(45));

  public Keepalive {
    if (interval == null || interval.toMillis() < 100) {
      throw new IllegalArgumentException("keepalive interval must be at least 100 ms, got " + interval);
    }
    if (peerTimeout == null || peerTimeout.compareTo(interval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("peer timeout must be at least twice the keepalive interval ("
          + interval + "), got " + peerTimeout);
    }
  }
}
