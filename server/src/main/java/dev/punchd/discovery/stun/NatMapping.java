package dev.punchd.discovery.stun;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * The outcome of a mapping probe: the behaviour and the observations it rests on. Immutable.
 *
 * @param behaviour    the NAT's mapping behaviour, as far as the observations tell
 * @param observations every Binding that answered, first the one to the first server
 * @param problems     why probes after the first did not answer (each naming its server); empty when all did
 */
public record NatMapping(MappingBehaviour behaviour, List<BindingResult> observations, List<String> problems) {

  public NatMapping {
    observations = List.copyOf(observations);
    problems = List.copyOf(problems);
  }

  /** The address the first server saw: what to advertise when the mapping is endpoint-independent. */
  public InetSocketAddress mappedAddress() {
    return observations.get(0).mapped();
  }

  /** Whether every observed mapping kept the local port. */
  public boolean portPreserved() {
    return observations.stream().allMatch(BindingResult::portPreserved);
  }
}
