package dev.punchd.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Which peer addresses AttemptConnection may dial. A peer address comes from the other side, so a hostile
 * peer could otherwise point this sidecar at itself (a loopback or own address, where any local listener
 * on that port becomes "the peer" of a RAW connection), at link-local neighbours or at a cloud metadata
 * service. Addresses of such a {@link Range} are refused unless the range is allowed. Immutable and
 * thread-safe (the host's own addresses are read at each check, so interfaces may come and go).
 */
public final class PeerAddressPolicy {

  /** Address ranges refused unless allowed, named as on the command line. */
  public enum Range {
    /** Loopback, the unspecified address and every address of this host's interfaces. */
    THIS_HOST("this-host"),
    /** 169.254.0.0/16 and fe80::/10 (metadata services excepted). */
    LINK_LOCAL("link-local"),
    /** Cloud metadata services: 169.254.169.254, 169.254.170.2, fd00:ec2::254, 100.100.100.200. */
    METADATA("metadata");

    private final String flag;

    Range(String flag) {
      this.flag = flag;
    }

    /** The name used by {@code --allow-peer-addresses}. */
    public String flag() {
      return flag;
    }

    /**
     * Parses a comma-separated list such as {@code this-host,link-local}; empty allows nothing extra.
     *
     * @throws IllegalArgumentException naming an unknown range
     */
    public static Set<Range> parseList(String text) {
      EnumSet<Range> ranges = EnumSet.noneOf(Range.class);
      for (String item : (text == null ? "" : text).split(",")) {
        String name = item.trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
          continue;
        }
        ranges.add(Arrays.stream(values()).filter(r -> r.flag.equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unknown peer address range '" + item.trim()
                + "': expected any of " + Arrays.stream(values()).map(Range::flag).collect(Collectors.joining(", ")))));
      }
      return ranges;
    }
  }

  private static final List<InetAddress> METADATA_SERVICES =
      literals("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200");

  private final Set<Range> allowed;
  private final Supplier<? extends Iterable<InetAddress>> hostAddresses;

  /**
   * @param allowed ranges that may be dialled after all
   * @param hostAddresses this host's own interface addresses, read at each check
   */
  public PeerAddressPolicy(Set<Range> allowed, Supplier<? extends Iterable<InetAddress>> hostAddresses) {
    this.allowed = allowed.isEmpty() ? EnumSet.noneOf(Range.class) : EnumSet.copyOf(allowed);
    this.hostAddresses = hostAddresses;
  }

  /**
   * Refuses the address when it lies in a range that is not allowed.
   *
   * @param asGiven the address as the request spelled it, for the message
   * @throws PunchdException INVALID_ARGUMENT naming the address and how to allow it
   */
  public void check(String asGiven, InetSocketAddress peer) {
    Optional<Range> range = rangeOf(peer.getAddress());
    if (range.isPresent() && !allowed.contains(range.get())) {
      throw PunchdException.invalid("peer address '" + asGiven + "' is refused: " + describe(range.get())
          + "; a peer may not point this sidecar there (allow it with --allow-peer-addresses " + range.get().flag()
          + (range.get() == Range.THIS_HOST ? ", or advertise loopback with --local-interfaces lo" : "") + ")");
    }
  }

  /** The refused range the address falls in, if any (a metadata service counts as METADATA only). */
  Optional<Range> rangeOf(InetAddress ip) {
    if (METADATA_SERVICES.contains(ip)) {
      return Optional.of(Range.METADATA);
    }
    if (ip.isLinkLocalAddress()) {
      return Optional.of(Range.LINK_LOCAL);
    }
    if (ip.isLoopbackAddress() || ip.isAnyLocalAddress() || isOwn(ip)) {
      return Optional.of(Range.THIS_HOST);
    }
    return Optional.empty();
  }

  private boolean isOwn(InetAddress ip) {
    for (InetAddress own : hostAddresses.get()) {
      if (sameAddress(own, ip)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameAddress(InetAddress a, InetAddress b) {
    return (a instanceof Inet4Address) == (b instanceof Inet4Address) && Arrays.equals(a.getAddress(), b.getAddress());
  }

  private static String describe(Range range) {
    return switch (range) {
      case THIS_HOST -> "it is this host (loopback or one of its own addresses)";
      case LINK_LOCAL -> "it is link-local (169.254.0.0/16, fe80::/10)";
      case METADATA -> "it is a cloud metadata service";
    };
  }

  private static List<InetAddress> literals(String... ips) {
    try {
      InetAddress[] addresses = new InetAddress[ips.length];
      for (int i = 0; i < ips.length; i++) {
        addresses[i] = InetAddress.getByName(ips[i]);
      }
      return List.of(addresses);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("IP literals always parse", e);
    }
  }
}
