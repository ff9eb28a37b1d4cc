package dev.punchd.relay;

import java.time.Duration;

/**
 * Timing of a TURN allocation. Immutable.
 *
 * @param timeout           bound on each request to the server (and on opening each data connection)
 * @param permissionRefresh how often permissions are renewed (the server keeps one for 300 s, RFC 8656)
 * @param acceptBacklog     relayed connections held for {@link TurnAllocation#accept()}; more are closed
 */
public record TurnSettings(Duration timeout, Duration permissionRefresh, int acceptBacklog) {
  public static final TurnSettings DEFAULTS = new TurnSettings(Duration.ofSeconds(5), Duration.ofMinutes(4), 16);
}
