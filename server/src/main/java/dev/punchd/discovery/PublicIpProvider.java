package dev.punchd.discovery;

import java.net.InetAddress;

/**
 * Finds this host's public IP address. Implementations are thread-safe and bound every network wait.
 */
public interface PublicIpProvider {

  /**
   * Returns the public IP; the engine assumes the NAT preserves the local port.
   *
   * @throws DiscoveryException when the address cannot be found now (never fatal to a connection)
   */
  InetAddress discover() throws DiscoveryException;

  /** Starts finding the address in the background, if this provider looks it up at all; returns at once. */
  default void prefetch() {}

  /** Human-readable description for logs and {@code --help}, e.g. {@code http://203.0.113.10:8080/}. */
  String describe();

  /** Why discovery did not produce an address. */
  final class DiscoveryException extends Exception {
    public DiscoveryException(String message) {
      super(message);
    }

    public DiscoveryException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
