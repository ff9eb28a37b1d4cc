package dev.punchd.engine;

import dev.punchd.discovery.PublicIpProvider;
import dev.punchd.transport.Keepalive;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the engine needs to know, validated at construction. Immutable.
 *
 * @param portRange ports punched connections bind (or {@link PortRange#ANY})
 * @param localInterfaces names of interfaces whose addresses are advertised; empty means every interface that is up
 * @param attemptTimeout default window in which AttemptConnection keeps punching
 * @param retryInterval default base interval between re-dials of one peer address (jittered +-50%)
 * @param handshakeTimeout bound on one TLS handshake and on waiting for nomination after it
 * @param idleTimeout how long a connection may stay allocated without AttemptConnection
 * @param maxConnections connections not yet failed or closed, at most
 * @param receiveBufferBytes bytes received from the peer held for the application, per connection, at most
 * @param publicIp how public addresses are discovered
 * @param allowedPeerAddresses address ranges a peer may name although they are refused by default (see
 *     {@link PeerAddressPolicy}); naming a loopback interface in {@code localInterfaces} allows
 *     {@link PeerAddressPolicy.Range#THIS_HOST} too
 * @param keepalive how established connections keep their path alive and notice a dead peer
 * @param traversal STUN and TURN servers ({@link NatTraversal#NONE}: none)
 */
public record EngineSettings(
    PortRange portRange,
    List<String> localInterfaces,
    Duration attemptTimeout,
    Duration retryInterval,
    Duration handshakeTimeout,
    Duration idleTimeout,
    int maxConnections,
    int receiveBufferBytes,
    PublicIpProvider publicIp,
    Set<PeerAddressPolicy.Range> allowedPeerAddresses,
    Keepalive keepalive,
    NatTraversal traversal) {

  /** The largest message of the Stream RPC the sidecar accepts; also the largest chunk it sends. */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;

  public EngineSettings {
    Objects.requireNonNull(portRange, "portRange");
    localInterfaces = List.copyOf(localInterfaces);
    requirePositive(attemptTimeout, "attempt timeout");
    requirePositive(retryInterval, "retry interval");
    requirePositive(handshakeTimeout, "handshake timeout");
    requirePositive(idleTimeout, "idle timeout");
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max connections must be at least 1, got " + maxConnections);
    }
    if (receiveBufferBytes < 64 * 1024) {
      throw new IllegalArgumentException("receive buffer must be at least 64 KiB, got " + receiveBufferBytes);
    }
    Objects.requireNonNull(publicIp, "publicIp");
    allowedPeerAddresses = Set.copyOf(allowedPeerAddresses);
    Objects.requireNonNull(keepalive, "keepalive");
    Objects.requireNonNull(traversal, "traversal");
  }

  /** Without STUN or TURN ({@link NatTraversal#NONE}). */
  public EngineSettings(PortRange portRange, List<String> localInterfaces, Duration attemptTimeout,
      Duration retryInterval, Duration handshakeTimeout, Duration idleTimeout, int maxConnections,
      int receiveBufferBytes, PublicIpProvider publicIp, Set<PeerAddressPolicy.Range> allowedPeerAddresses,
      Keepalive keepalive) {
    this(portRange, localInterfaces, attemptTimeout, retryInterval, handshakeTimeout, idleTimeout, maxConnections,
        receiveBufferBytes, publicIp, allowedPeerAddresses, keepalive, NatTraversal.NONE);
  }

  /** Defaults of the command line, with the given discovery. */
  public static EngineSettings defaults(PublicIpProvider publicIp) {
    return new EngineSettings(PortRange.ANY, List.of(), Duration.ofSeconds(30), Duration.ofMillis(200),
        Duration.ofSeconds(10), Duration.ofMinutes(5), 4096, 1 << 20, publicIp, Set.of(),
        Keepalive.DEFAULT);
  }

  public EngineSettings withLocalInterfaces(List<String> names) {
    return new EngineSettings(portRange, names, attemptTimeout, retryInterval, handshakeTimeout, idleTimeout,
        maxConnections, receiveBufferBytes, publicIp, allowedPeerAddresses, keepalive, traversal);
  }

  public EngineSettings withTimeouts(Duration attempt, Duration idle) {
    return new EngineSettings(portRange, localInterfaces, attempt, retryInterval, handshakeTimeout, idle,
        maxConnections, receiveBufferBytes, publicIp, allowedPeerAddresses, keepalive, traversal);
  }

  public EngineSettings withLimits(int connections, int receiveBuffer) {
    return new EngineSettings(portRange, localInterfaces, attemptTimeout, retryInterval, handshakeTimeout,
        idleTimeout, connections, receiveBuffer, publicIp, allowedPeerAddresses, keepalive, traversal);
  }

  public EngineSettings withPublicIp(PublicIpProvider provider) {
    return new EngineSettings(portRange, localInterfaces, attemptTimeout, retryInterval, handshakeTimeout,
        idleTimeout, maxConnections, receiveBufferBytes, provider, allowedPeerAddresses, keepalive, traversal);
  }

  public EngineSettings withAllowedPeerAddresses(Set<PeerAddressPolicy.Range> ranges) {
    return new EngineSettings(portRange, localInterfaces, attemptTimeout, retryInterval, handshakeTimeout,
        idleTimeout, maxConnections, receiveBufferBytes, publicIp, ranges, keepalive, traversal);
  }

  public EngineSettings withKeepalive(Keepalive newKeepalive) {
    return new EngineSettings(portRange, localInterfaces, attemptTimeout, retryInterval, handshakeTimeout,
        idleTimeout, maxConnections, receiveBufferBytes, publicIp, allowedPeerAddresses, newKeepalive, traversal);
  }

  public EngineSettings withTraversal(NatTraversal newTraversal) {
    return new EngineSettings(portRange, localInterfaces, attemptTimeout, retryInterval, handshakeTimeout,
        idleTimeout, maxConnections, receiveBufferBytes, publicIp, allowedPeerAddresses, keepalive, newTraversal);
  }

  private static void requirePositive(Duration d, String what) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }
}
