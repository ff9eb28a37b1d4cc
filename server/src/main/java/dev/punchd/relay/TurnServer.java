package dev.punchd.relay;

import dev.punchd.engine.HostPort;
import java.net.InetSocketAddress;

/**
 * A TURN server and the long-term credentials punchd uses with it. Immutable; {@link #toString()} never
 * shows the password.
 */
public record TurnServer(InetSocketAddress address, String username, String password) {

  /** The server as messages name it, e.g. {@code turn://alice@203.0.113.10:3478}. */
  @Override
  public String toString() {
    return "turn://" + username + "@" + HostPort.format(address);
  }
}
