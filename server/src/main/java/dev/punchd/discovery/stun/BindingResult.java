package dev.punchd.discovery.stun;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * What one STUN Binding observed. Immutable.
 *
 * @param server       the server asked
 * @param local        the local address the request was sent from
 * @param mapped       the XOR-MAPPED-ADDRESS: our address as the server saw it
 * @param otherAddress the server's RFC 5780 OTHER-ADDRESS (a second IP and port of it), when it has one
 * @param roundTrip    from sending the request to receiving the response (the TCP connect not included)
 */
public record BindingResult(InetSocketAddress server, InetSocketAddress local, InetSocketAddress mapped,
    Optional<InetSocketAddress> otherAddress, Duration roundTrip) {

  /** Whether the NAT (if any) kept the local port. */
  public boolean portPreserved() {
    return mapped.getPort() == local.getPort();
  }
}
