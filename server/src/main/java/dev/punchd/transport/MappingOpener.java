package dev.punchd.transport;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * Sends the first SYN of a dial as a "mapping opener" (STUNT/NUTSS style): with a TTL that passes our own
 * NAT(s) and dies a hop or two later, before the peer's NAT. Our NAT maps the port and tracks the flow as
 * SYN-SENT; the peer's NAT never sees the SYN, so it cannot answer with a RST that would end our NAT's
 * flow (the peer's SYN would then be unsolicited there and refused in turn).
 * The TTL is set back to the default as soon as the SYN left, so the socket, kept in SYN-SENT, answers the
 * peer's SYN (simultaneous open) with a SYN-ACK of the very sequence number our NAT saw, at full TTL. (A
 * SYN-ACK from the listener instead, of another sequence number, is out of our NAT's window: measured in
 * natlab, 0 of 4 such connections carried data.) {@code java.net} cannot set IP_TTL on a TCP socket: this
 * sets it with Netty's native socket calls on the channel's descriptor, which needs the JVM option
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (in punchd.jar's manifest); without it, or
 * without the native library, {@link #withTtl} refuses. A router that answers the expired SYN with ICMP
 * time-exceeded makes the kernel abort the dial (see docs/design-notes.md, "Punching"). Immutable and
 * thread-safe.
 */
public final class MappingOpener {
  /** No openers. */
  public static final MappingOpener OFF = new MappingOpener(0);

  private static final int IPPROTO_IP = 0;
  private static final int IP_TTL = 2;
  private static final int IPPROTO_IPV6 = 41;
  private static final int IPV6_UNICAST_HOPS = 16;
  /** setsockopt value restoring the system default TTL / hop limit. */
  private static final int DEFAULT = -1;

  private final int ttl;

  private MappingOpener(int ttl) {
    this.ttl = ttl;
  }

  /**
   * An opener sending SYNs with {@code ttl}; 0 turns openers off.
   *
   * @throws IllegalArgumentException when {@code ttl} is outside 0..255
   * @throws UnsupportedOperationException when {@code ttl} is positive but this JVM cannot set a socket's TTL
   *     (the message says why)
   */
  public static MappingOpener withTtl(int ttl) {
    if (checkTtl(ttl) == 0) {
      return OFF;
    }
    if (!Epoll.isAvailable()) {
      throw new UnsupportedOperationException("Netty's native epoll library did not load ("
          + Epoll.unavailabilityCause() + ")");
    }
    if (SocketDescriptors.unreachable() != null) {
      throw new UnsupportedOperationException(SocketDescriptors.unreachable());
    }
    return new MappingOpener(ttl);
  }

  /**
   * {@code ttl} when it is an opener TTL: 0 (off) to 255.
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static int checkTtl(int ttl) {
    if (ttl < 0 || ttl > 255) {
      throw new IllegalArgumentException("opener TTL must be 0 (off) to 255, got " + ttl);
    }
    return ttl;
  }

  public boolean isOn() {
    return ttl > 0;
  }

  public int ttl() {
    return ttl;
  }

  /**
   * Starts {@code channel}'s (non-blocking, bound) connection to {@code peer} with an opener SYN and sets the
   * TTL back to the default once it left.
   *
   * @return whether the connection completed at once (it normally does not)
   * @throws IllegalStateException when the opener is off
   */
  boolean connect(SocketChannel channel, InetSocketAddress peer) throws IOException {
    if (!isOn()) {
      throw new IllegalStateException("the mapping opener is off");
    }
    Socket socket = new Socket(SocketDescriptors.of(channel)); // a view: closing stays with the channel
    boolean dualStack = ((InetSocketAddress) channel.getLocalAddress()).getAddress() instanceof Inet6Address;
    setTtl(socket, dualStack, ttl);
    boolean connected = channel.connect(peer); // non-blocking: the SYN left when this returns
    setTtl(socket, dualStack, DEFAULT);
    return connected;
  }

  private static void setTtl(Socket socket, boolean dualStack, int value) throws IOException {
    socket.setIntOpt(IPPROTO_IP, IP_TTL, value); // IPv4 and IPv4-mapped destinations
    if (dualStack) {
      socket.setIntOpt(IPPROTO_IPV6, IPV6_UNICAST_HOPS, value);
    }
  }

  @Override
  public String toString() {
    return isOn() ? "mapping opener, TTL " + ttl : "mapping opener off";
  }
}
