package dev.punchd.engine;

import dev.punchd.relay.TurnServer;
import dev.punchd.transport.MappingOpener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * STUN and TURN for every connection: the STUN servers whose Bindings from the connection's own port give its
 * mapped address and the NAT's mapping behaviour, the TURN servers that give it a relayed address, and how
 * long direct candidates have before a relayed one may run its handshake, and the TTL of the mapping opener
 * SYNs that keep our NAT's flow open for the peer's SYN ({@link dev.punchd.transport.MappingOpener}).
 * {@link #NONE}: none of these, behaviour as without them. Immutable.
 *
 * @param stunServers      asked in order; two (or one with an RFC 5780 OTHER-ADDRESS) tell the mapping behaviour
 * @param turnServers      each gives every SECURE connection a TCP allocation (RFC 6062)
 * @param relayAfter       a relayed candidate waits this long after it arrives before its handshake starts,
 *                         so that direct paths keep priority
 * @param discoveryTimeout bound on STUN and TURN together while GetAddresses allocates a connection
 * @param resumeWindow     how long a SECURE connection whose path broke re-punches for a new one before it is
 *                         lost; zero: no session layer, a broken path ends the connection
 * @param openerTtl        TTL of the mapping opener SYNs, at least the hops to leave our own NAT(s) and fewer
 *                         than to reach the peer's; zero: no openers
 * @param keepRelay        a session keeps this side's TURN allocations for the connection's whole life, also
 *                         while its path is direct, so that a direct path that breaks can resume through a relay;
 *                         false: they are released once the path is direct. Does nothing without TURN servers or
 *                         without sessions (the command line refuses that combination)
 */
public record NatTraversal(List<InetSocketAddress> stunServers, List<TurnServer> turnServers, Duration relayAfter,
    Duration discoveryTimeout, Duration resumeWindow, int openerTtl, boolean keepRelay) {

  public static final NatTraversal NONE = new NatTraversal(List.of(), List.of(), Duration.ofSeconds(3),
      Duration.ofSeconds(2), Duration.ZERO, 0, false);

  public NatTraversal {
    stunServers = List.copyOf(stunServers);
    turnServers = List.copyOf(turnServers);
    if (relayAfter == null || relayAfter.isNegative()) {
      throw new IllegalArgumentException("relay-after must be zero or positive, got " + relayAfter);
    }
    if (discoveryTimeout == null || discoveryTimeout.isNegative() || discoveryTimeout.isZero()) {
      throw new IllegalArgumentException("STUN/TURN discovery timeout must be positive, got " + discoveryTimeout);
    }
    if (resumeWindow == null || resumeWindow.isNegative()) {
      throw new IllegalArgumentException("resume window must be zero (off) or positive, got " + resumeWindow);
    }
    MappingOpener.checkTtl(openerTtl);
  }

  public NatTraversal withServers(List<InetSocketAddress> stun, List<TurnServer> turn) {
    return new NatTraversal(stun, turn, relayAfter, discoveryTimeout, resumeWindow, openerTtl, keepRelay);
  }

  public NatTraversal withRelayAfter(Duration after) {
    return new NatTraversal(stunServers, turnServers, after, discoveryTimeout, resumeWindow, openerTtl, keepRelay);
  }

  public NatTraversal withDiscoveryTimeout(Duration timeout) {
    return new NatTraversal(stunServers, turnServers, relayAfter, timeout, resumeWindow, openerTtl, keepRelay);
  }

  public NatTraversal withOpenerTtl(int ttl) {
    return new NatTraversal(stunServers, turnServers, relayAfter, discoveryTimeout, resumeWindow, ttl, keepRelay);
  }

  public NatTraversal withResumeWindow(Duration window) {
    return new NatTraversal(stunServers, turnServers, relayAfter, discoveryTimeout, window, openerTtl, keepRelay);
  }

  public NatTraversal withKeepRelay(boolean keep) {
    return new NatTraversal(stunServers, turnServers, relayAfter, discoveryTimeout, resumeWindow, openerTtl, keep);
  }
}
