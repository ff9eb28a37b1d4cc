package dev.punchd.engine;

import dev.punchd.relay.TurnServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * STUN and TURN for every connection: the STUN servers whose Bindings from the connection's own port give its
 * mapped address and the NAT's mapping behaviour, the TURN servers that give it a relayed address, and how
 * long direct candidates have before a relayed one may run its handshake. {@link #NONE}: neither, behaviour
 * as without this feature. Immutable.
 *
 * @param stunServers      asked in order; two (or one with an RFC 5780 OTHER-ADDRESS) tell the mapping behaviour
 * @param turnServers      each gives every SECURE connection a TCP allocation (RFC 6062)
 * @param relayAfter       a relayed candidate waits this long after it arrives before its handshake starts,
 *                         so that direct paths keep priority
 * @param discoveryTimeout bound on STUN and TURN together while GetAddresses allocates a connection
 * @param resumeWindow     how long a SECURE connection whose path broke re-punches for a new one before it is
 *                         lost; zero: no session layer, a broken path ends the connection
 */
public record NatTraversal(List<InetSocketAddress> stunServers, List<TurnServer> turnServers, Duration relayAfter,
    Duration discoveryTimeout, Duration resumeWindow) {

  public static final NatTraversal NONE =
      new NatTraversal(List.of(), List.of(), Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ZERO);

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
  }

  public NatTraversal withServers(List<InetSocketAddress> stun, List<TurnServer> turn) {
    return new NatTraversal(stun, turn, relayAfter, discoveryTimeout, resumeWindow);
  }

  public NatTraversal withRelayAfter(Duration after) {
    return new NatTraversal(stunServers, turnServers, after, discoveryTimeout, resumeWindow);
  }

  public NatTraversal withDiscoveryTimeout(Duration timeout) {
    return new NatTraversal(stunServers, turnServers, relayAfter, timeout, resumeWindow);
  }

  public NatTraversal withResumeWindow(Duration window) {
    return new NatTraversal(stunServers, turnServers, relayAfter, discoveryTimeout, window);
  }
}
