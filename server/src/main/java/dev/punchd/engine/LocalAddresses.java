package dev.punchd.engine;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Lists the addresses of this host's interfaces: those punchd advertises, and all of them. Stateless. */
final class LocalAddresses {
  private LocalAddresses() {}

  /**
   * Addresses of the named interfaces that are up, non-loopback first; with {@code names} empty, of every
   * interface that is up except loopback ones (loopback is advertised only when named, e.g. {@code lo}).
   * Link-local addresses are never advertised: they need a scope the peer lacks, and a peer refuses them.
   */
  static List<InetAddress> of(List<String> names) {
    List<InetAddress> external = new ArrayList<>();
    List<InetAddress> loopback = new ArrayList<>();
    for (NetworkInterface nic : interfaces()) {
      if (!isUp(nic) || !(names.isEmpty() ? !isLoopback(nic) : names.contains(nic.getName()))) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (!address.isLinkLocalAddress()) {
          (address.isLoopbackAddress() ? loopback : external).add(address);
        }
      }
    }
    external.addAll(loopback);
    return external;
  }

  /** Every address of every interface of this host, up or not. */
  static List<InetAddress> all() {
    List<InetAddress> all = new ArrayList<>();
    for (NetworkInterface nic : interfaces()) {
      all.addAll(Collections.list(nic.getInetAddresses()));
    }
    return all;
  }

  /** True when one of the named interfaces is a loopback interface (the sidecar then serves peers on this host). */
  static boolean namesLoopback(List<String> names) {
    return interfaces().stream().anyMatch(nic -> names.contains(nic.getName()) && isLoopback(nic));
  }

  private static List<NetworkInterface> interfaces() {
    try {
      return Collections.list(NetworkInterface.getNetworkInterfaces());
    } catch (SocketException e) {
      throw new PunchdException(PunchdException.Kind.UNAVAILABLE, "cannot list network interfaces: " + e.getMessage());
    }
  }

  private static boolean isUp(NetworkInterface nic) {
    try {
      return nic.isUp();
    } catch (SocketException e) {
      return false;
    }
  }

  private static boolean isLoopback(NetworkInterface nic) {
    try {
      return nic.isLoopback();
    } catch (SocketException e) {
      return false;
    }
  }
}
