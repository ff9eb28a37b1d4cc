package dev.punchd.discovery.stun;

import dev.punchd.stun.StunServerException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells whether the NAT's mapping depends on the destination, by Bindings from one local port to several
 * destinations. With an RFC 5780 server (one that reports OTHER-ADDRESS) it runs the tests of RFC 5780
 * section 4.3 over TCP: the primary address, then the other IP with the primary port, then the other IP
 * and port. Without one it compares the first two configured servers. Thread-safe (stateless apart from its
 * client).
 */
public final class NatMappingProbe {
  private final StunBindingClient client;

  /** The client must dial from the local port whose mapping is wanted (a connection's shared port). */
  public NatMappingProbe(StunBindingClient client) {
    this.client = client;
  }

  /**
   * Probes the mapping through {@code servers} (at least one).
   *
   * @throws StunServerException when the first server does not answer (then nothing is known)
   */
  public NatMapping probe(List<InetSocketAddress> servers) throws StunServerException {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("no STUN server to probe");
    }
    InetSocketAddress primary = servers.get(0);
    BindingResult first = client.bind(primary);
    List<BindingResult> seen = new ArrayList<>(List.of(first));
    List<String> problems = new ArrayList<>();
    Optional<InetSocketAddress> other = first.otherAddress()
        .filter(o -> !o.getAddress().equals(primary.getAddress()));
    if (other.isPresent()) {
      InetSocketAddress otherIp = new InetSocketAddress(other.get().getAddress(), primary.getPort());
      Optional<BindingResult> second = tryBind(otherIp, seen, problems);
      if (second.isEmpty()) {
        return new NatMapping(MappingBehaviour.UNKNOWN, seen, problems);
      }
      if (second.get().mapped().equals(first.mapped())) {
        return new NatMapping(MappingBehaviour.ENDPOINT_INDEPENDENT, seen, problems);
      }
      Optional<BindingResult> third = tryBind(other.get(), seen, problems);
      if (third.isEmpty()) {
        return new NatMapping(MappingBehaviour.DESTINATION_DEPENDENT, seen, problems);
      }
      return new NatMapping(third.get().mapped().equals(second.get().mapped())
          ? MappingBehaviour.ADDRESS_DEPENDENT : MappingBehaviour.ADDRESS_AND_PORT_DEPENDENT, seen, problems);
    }
    if (servers.size() < 2) {
      problems.add("one STUN server without an RFC 5780 OTHER-ADDRESS: the mapping behaviour cannot be told");
      return new NatMapping(MappingBehaviour.UNKNOWN, seen, problems);
    }
    Optional<BindingResult> second = tryBind(servers.get(1), seen, problems);
    if (second.isEmpty()) {
      return new NatMapping(MappingBehaviour.UNKNOWN, seen, problems);
    }
    return new NatMapping(second.get().mapped().equals(first.mapped())
        ? MappingBehaviour.ENDPOINT_INDEPENDENT : MappingBehaviour.DESTINATION_DEPENDENT, seen, problems);
  }

  private Optional<BindingResult> tryBind(InetSocketAddress server, List<BindingResult> seen, List<String> problems) {
    try {
      BindingResult result = client.bind(server);
      seen.add(result);
      return Optional.of(result);
    } catch (StunServerException e) {
      problems.add(e.getMessage());
      return Optional.empty();
    }
  }
}
