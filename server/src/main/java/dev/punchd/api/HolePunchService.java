package dev.punchd.api;

import dev.punchd.engine.Connection;
import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.PunchdException;
import dev.punchd.observe.LogContext;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.AttemptConnectionResponse;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.CloseResponse;
import dev.punchd.v1.Event;
import dev.punchd.v1.EventsRequest;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.HolePunchGrpc;
import dev.punchd.v1.StreamRequest;
import dev.punchd.v1.StreamResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * The {@code punchd.v1.HolePunch} service: translates RPCs to {@link ConnectionManager} calls, with the
 * request's connection id in the log context. Thread-safe.
 */
public final class HolePunchService extends HolePunchGrpc.HolePunchImplBase {
  private final ConnectionManager manager;

  public HolePunchService(ConnectionManager manager) {
    this.manager = manager;
  }

  @Override
  public void getAddresses(GetAddressesRequest request, StreamObserver<GetAddressesResponse> responses) {
    respond(request.getConnectionId(), responses, () -> {
      Connection connection = request.getConnectionId().isEmpty()
          ? manager.allocate(request.getOptions())
          : manager.get(request.getConnectionId());
      Connection.Addresses addresses = connection.addresses();
      return GetAddressesResponse.newBuilder()
          .setConnectionId(connection.id())
          .addAllLocalAddresses(addresses.local())
          .addAllPublicAddresses(addresses.published())
          .setFingerprint(connection.fingerprint())
          .setDiscoveryError(addresses.discoveryError())
          .setSecurity(connection.security())
          .addAllCandidates(addresses.candidates())
          .setNat(addresses.nat())
          .addAllRelayErrors(addresses.relayErrors())
          .build();
    });
  }

  @Override
  public void attemptConnection(AttemptConnectionRequest request, StreamObserver<AttemptConnectionResponse> responses) {
    respond(request.getConnectionId(), responses, () -> {
      manager.attempt(request.getConnectionId(), request.getPeerAddressesList(), request.getPeerCandidatesList(),
          request.getPeerFingerprint());
      return AttemptConnectionResponse.getDefaultInstance();
    });
  }

  @Override
  public void close(CloseRequest request, StreamObserver<CloseResponse> responses) {
    respond(request.getConnectionId(), responses, () -> {
      manager.close(request.getConnectionId());
      return CloseResponse.getDefaultInstance();
    });
  }

  @Override
  public void events(EventsRequest request, StreamObserver<Event> responses) {
    String id = request.getConnectionId();
    try (LogContext.Scope ignored = LogContext.connection(id)) {
      if (!id.isEmpty()) {
        try {
          manager.get(id);
        } catch (PunchdException e) {
          responses.onError(StatusMapping.toStatus(e));
          return;
        }
      }
      new EventsStream((ServerCallStreamObserver<Event>) responses, !id.isEmpty()).subscribe(manager.events(), id);
    }
  }

  @Override
  public StreamObserver<StreamRequest> stream(StreamObserver<StreamResponse> responses) {
    return new StreamSession(manager, (ServerCallStreamObserver<StreamResponse>) responses);
  }

  private static <T> void respond(String connectionId, StreamObserver<T> responses, Supplier<T> call) {
    try (LogContext.Scope ignored = LogContext.connection(connectionId)) {
      StatusMapping.respond(responses, call);
    }
  }
}
