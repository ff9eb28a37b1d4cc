package dev.punchd.observe;

import dev.punchd.engine.HostPort;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * Formats peer addresses for log lines: as the API writes them, or, once {@link #redact(boolean)} is on
 * ({@code --redact-addresses}), with the host part masked: {@code 203.0.113.x:40001} (last IPv4 octet),
 * {@code [2001:db8:1::x]:40001} (all but the first 48 bits of IPv6). The port stays: it identifies the
 * punched mapping, not the peer. Every log line that names a peer address goes through here. Thread-safe.
 */
public final class LogAddresses {
  private static final int KEPT_IPV6_GROUPS = 3;
  private static volatile boolean redact;

  private LogAddresses() {}

  /** Turns masking on or off for the whole process (set once at startup). */
  public static void redact(boolean on) {
    redact = on;
  }

  /** The address for a log line. */
  public static String of(InetSocketAddress address) {
    if (!redact) {
      return HostPort.format(address);
    }
    if (address.getAddress() instanceof Inet4Address) {
      String ip = address.getAddress().getHostAddress();
      return ip.substring(0, ip.lastIndexOf('.') + 1) + "x:" + address.getPort();
    }
    String[] groups = address.getAddress().getHostAddress().split("[:%]");
    return "[" + String.join(":", Arrays.copyOf(groups, KEPT_IPV6_GROUPS)) + "::x]:" + address.getPort();
  }
}
