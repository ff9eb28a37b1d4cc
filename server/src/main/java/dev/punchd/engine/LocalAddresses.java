package dev.punchd.engine;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Lists the addresses of the interfaces punchd advertises. Stateless. */
final class LocalAddresses {
  private LocalAddresses() {}

  /**
   * Addresses of the named interfaces that are up (all that are up when {@code names} is empty),
   * non-loopback first; IPv6 link-local addresses are left out (they need a scope the peer lacks).
   */
  static List<InetAddress> of(List<String> names) {
    List<InetAddress> external = new ArrayList<>();
    List<InetAddress> loopback = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || (!names.isEmpty() && !names.contains(nic.getName()))) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet6Address v6 && v6.isLinkLocalAddress()) {
            continue;
          }
          (address.isLoopbackAddress() ? loopback : external).add(address);
        }
      }
    } catch (SocketException e) {
      throw new PunchdException(PunchdException.Kind.UNAVAILABLE, "cannot list network interfaces: " + e.getMessage());
    }
    external.addAll(loopback);
    return external;
  }
}
