package dev.punchd.engine;

import dev.punchd.discovery.PublicIpProvider;
import dev.punchd.discovery.stun.BindingResult;
import dev.punchd.discovery.stun.NatMapping;
import dev.punchd.discovery.stun.NatMappingProbe;
import dev.punchd.discovery.stun.StunBindingClient;
import dev.punchd.relay.TurnAllocation;
import dev.punchd.relay.TurnServer;
import dev.punchd.relay.TurnSettings;
import dev.punchd.stun.Dialer;
import dev.punchd.transport.SharedPort;
import dev.punchd.v1.Candidate;
import dev.punchd.v1.CandidateType;
import dev.punchd.v1.NatBehaviour;
import dev.punchd.v1.NatMappingType;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers a new connection's addresses: its local ones, the public IP from discovery, the mapping STUN
 * observes from the connection's own port (and the NAT's mapping behaviour), and one TCP allocation per TURN
 * server. STUN and TURN run at once on virtual threads, bounded together by
 * {@link NatTraversal#discoveryTimeout()}; an allocation that completes after that bound is released at once.
 * Thread-safe (stateless apart from its settings).
 */
final class CandidateGatherer {
  private static final Logger log = LoggerFactory.getLogger(CandidateGatherer.class);

  /** What a connection advertises, and the allocations behind its relayed addresses (owned by the caller). */
  record Gathered(Connection.Addresses addresses, List<TurnAllocation> allocations) {}

  private final EngineSettings settings;
  private final NatTraversal traversal;
  private final ScheduledExecutorService scheduler;

  CandidateGatherer(EngineSettings settings, ScheduledExecutorService scheduler) {
    this.settings = settings;
    this.traversal = settings.traversal();
    this.scheduler = scheduler;
    if (!traversal.stunServers().isEmpty() || !traversal.turnServers().isEmpty()) {
      log.info("STUN servers {}, TURN relays {} (SECURE connections; relayed candidates wait {} ms)",
          traversal.stunServers().stream().map(server -> "stun://" + HostPort.format(server)).toList(),
          traversal.turnServers(), traversal.relayAfter().toMillis());
    }
    if (traversal.stunServers().isEmpty() && !"none".equals(settings.publicIp().describe())) {
      log.warn("public addresses assume the NAT keeps each connection's local port (no --stun server to observe "
          + "it); GetAddresses types them PUBLIC_PORT_ASSUMED");
    }
  }

  /** @param relay whether to allocate on the TURN servers (SECURE connections only) */
  Gathered gather(SharedPort port, boolean relay) {
    long deadline = System.nanoTime() + traversal.discoveryTimeout().toNanos();
    CompletableFuture<NatMapping> stun = traversal.stunServers().isEmpty() ? null : onVirtualThread(() ->
        new NatMappingProbe(new StunBindingClient(port::dial, traversal.discoveryTimeout()))
            .probe(traversal.stunServers()));
    List<CompletableFuture<TurnAllocation>> turns = new ArrayList<>();
    if (relay) {
      for (TurnServer server : traversal.turnServers()) {
        turns.add(onVirtualThread(() -> TurnAllocation.allocate(server, Dialer.ephemeral(), TurnSettings.DEFAULTS,
            scheduler)));
      }
    }
    List<Candidate> candidates = new ArrayList<>();
    List<String> local = LocalAddresses.of(settings.localInterfaces()).stream()
        .map(ip -> HostPort.format(ip, port.port())).toList();
    local.forEach(address -> candidates.add(candidate(address, CandidateType.HOST, "")));
    List<String> errors = new ArrayList<>();
    InetAddress publicIp = null;
    String providerError = "";
    try {
      publicIp = settings.publicIp().discover();
    } catch (PublicIpProvider.DiscoveryException e) {
      providerError = e.getMessage();
    }
    NatBehaviour nat = natBehaviour(stun, deadline, candidates, errors, publicIp != null);
    boolean observed = candidates.stream().anyMatch(c -> c.getType() == CandidateType.SERVER_REFLEXIVE);
    if (publicIp != null) {
      InetAddress ip = publicIp;
      if (!observed || candidates.stream().noneMatch(c -> c.getType() == CandidateType.SERVER_REFLEXIVE
          && HostPort.parse(c.getAddress()).getAddress().equals(ip))) {
        candidates.add(candidate(HostPort.format(ip, port.port()), CandidateType.PUBLIC_PORT_ASSUMED,
            settings.publicIp().describe()));
      }
    } else if (!observed) {
      errors.add(0, providerError);
    }
    List<TurnAllocation> allocations = new ArrayList<>();
    List<String> relayErrors = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      TurnServer server = traversal.turnServers().get(i);
      try {
        TurnAllocation allocation = await(turns.get(i), deadline);
        allocations.add(allocation);
        candidates.add(candidate(HostPort.format(allocation.relayedAddress()), CandidateType.RELAYED,
            server.toString()));
      } catch (TimeoutException e) {
        turns.get(i).thenAccept(TurnAllocation::close);
        relayErrors.add(server + ": no allocation within " + traversal.discoveryTimeout().toMillis() + " ms");
      } catch (ExecutionException e) {
        relayErrors.add(e.getCause().getMessage());
      }
    }
    LinkedHashSet<String> published = new LinkedHashSet<>();
    candidates.stream().filter(c -> c.getType() != CandidateType.HOST).forEach(c -> published.add(c.getAddress()));
    return new Gathered(new Connection.Addresses(local, List.copyOf(published), String.join("; ", errors),
        candidates, nat, relayErrors), allocations);
  }

  /** Waits for the STUN probe; adds its mapped address to {@code candidates}, its failure to {@code errors}. */
  private NatBehaviour natBehaviour(CompletableFuture<NatMapping> stun, long deadline, List<Candidate> candidates,
      List<String> errors, boolean publicIpKnown) {
    if (stun == null) {
      return NatBehaviour.newBuilder().setMapping(NatMappingType.NAT_MAPPING_UNKNOWN)
          .setDetail("no STUN server configured (--stun)" + (publicIpKnown
              ? ": the public address assumes the NAT keeps the local port" : "")).build();
    }
    String why;
    try {
      NatMapping mapping = await(stun, deadline);
      BindingResult first = mapping.observations().get(0);
      candidates.add(candidate(HostPort.format(mapping.mappedAddress()), CandidateType.SERVER_REFLEXIVE,
          "stun://" + HostPort.format(first.server())));
      List<String> servers = mapping.observations().stream().map(o -> "stun://" + HostPort.format(o.server()))
          .toList();
      String detail = "observed by " + String.join(", ", servers)
          + (mapping.problems().isEmpty() ? "" : "; " + String.join("; ", mapping.problems()));
      return NatBehaviour.newBuilder().setMapping(type(mapping)).setPortPreserved(mapping.portPreserved())
          .setDetail(detail).build();
    } catch (TimeoutException e) {
      why = "STUN: no answer within " + traversal.discoveryTimeout().toMillis() + " ms";
    } catch (ExecutionException e) {
      why = "STUN: " + e.getCause().getMessage();
    }
    errors.add(why);
    return NatBehaviour.newBuilder().setMapping(NatMappingType.NAT_MAPPING_UNKNOWN).setDetail(why).build();
  }

  private static NatMappingType type(NatMapping mapping) {
    return switch (mapping.behaviour()) {
      case ENDPOINT_INDEPENDENT -> NatMappingType.ENDPOINT_INDEPENDENT;
      case ADDRESS_DEPENDENT -> NatMappingType.ADDRESS_DEPENDENT;
      case ADDRESS_AND_PORT_DEPENDENT -> NatMappingType.ADDRESS_AND_PORT_DEPENDENT;
      case DESTINATION_DEPENDENT -> NatMappingType.DESTINATION_DEPENDENT;
      case UNKNOWN -> NatMappingType.NAT_MAPPING_UNKNOWN;
    };
  }

  private static Candidate candidate(String address, CandidateType type, String source) {
    return Candidate.newBuilder().setAddress(address).setType(type).setSource(source).build();
  }

  private static <T> T await(CompletableFuture<T> future, long deadline) throws TimeoutException, ExecutionException {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TimeoutException("interrupted");
    }
  }

  private static <T> CompletableFuture<T> onVirtualThread(Callable<T> task) {
    CompletableFuture<T> future = new CompletableFuture<>();
    Thread.ofVirtual().name("punchd-gather").start(() -> {
      try {
        future.complete(task.call());
      } catch (Exception | Error e) {
        future.completeExceptionally(e);
      }
    });
    return future;
  }
}
