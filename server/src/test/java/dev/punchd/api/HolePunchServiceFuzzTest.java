package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.EngineMetrics;
import dev.punchd.engine.EventLoops;
import dev.punchd.engine.TlsCredentials;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.AttemptConnectionResponse;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.CloseResponse;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.SecurityMode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * GetAddresses, AttemptConnection and Close with whatever an API client sends, on a real engine. Each call
 * either succeeds or fails with a status that names the problem (INVALID_ARGUMENT, NOT_FOUND,
 * FAILED_PRECONDITION, RESOURCE_EXHAUSTED); any other outcome or exception is a finding, and so is a
 * connection left live afterwards. AttemptConnection targets only connections that have already ended (or
 * unknown ids), so every check runs but nothing is ever dialled.
 */
class HolePunchServiceFuzzTest {
  private static final Set<Status.Code> REFUSALS = Set.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED);
  private static final ConnectionManager MANAGER = new ConnectionManager(TestSidecar.testSettings(),
      TlsCredentials.ephemeral(), EngineMetrics.NONE, EventLoops.NONE); // nothing is ever established
  private static final HolePunchService SERVICE = new HolePunchService(MANAGER);
  private static final List<String> ENDED = endedConnections();

  @FuzzTest(maxDuration = "20s")
  void requests(FuzzedDataProvider data) {
    switch (data.consumeInt(0, 2)) {
      case 0 -> getAddresses(data);
      case 1 -> attempt(data);
      default -> {
        Recorder<CloseResponse> closed = new Recorder<>();
        SERVICE.close(CloseRequest.newBuilder().setConnectionId(someId(data)).build(), closed);
        closed.outcome();
      }
    }
    assertThat(MANAGER.liveConnections()).as("connections left live").isZero();
  }

  private static void getAddresses(FuzzedDataProvider data) {
    ConnectionOptions options = ConnectionOptions.newBuilder()
        .setSecurityValue(data.consumeInt())
        .setAttemptTimeoutMs(data.consumeInt())
        .setRetryIntervalMs(data.consumeInt())
        .build();
    String id = data.consumeBoolean() ? "" : someId(data);
    Recorder<GetAddressesResponse> addresses = new Recorder<>();
    SERVICE.getAddresses(GetAddressesRequest.newBuilder().setConnectionId(id).setOptions(options).build(), addresses);
    GetAddressesResponse response = addresses.outcome();
    if (response != null && id.isEmpty()) {
      MANAGER.close(response.getConnectionId());
    }
  }

  private static void attempt(FuzzedDataProvider data) {
    AttemptConnectionRequest.Builder request = AttemptConnectionRequest.newBuilder().setConnectionId(someId(data));
    int addresses = data.consumeInt(0, 40);
    for (int i = 0; i < addresses; i++) {
      request.addPeerAddresses(data.consumeString(60));
    }
    request.setPeerFingerprint(data.consumeBoolean() ? "ab".repeat(32) : data.consumeString(80));
    Recorder<AttemptConnectionResponse> attempted = new Recorder<>();
    SERVICE.attemptConnection(request.build(), attempted);
    attempted.outcome();
  }

  /** One of the ended connections, or whatever the input says. */
  private static String someId(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.pickValue(ENDED) : data.consumeString(50);
  }

  private static List<String> endedConnections() {
    List<String> ids = new ArrayList<>();
    for (SecurityMode mode : new SecurityMode[] {SecurityMode.SECURE, SecurityMode.RAW}) {
      String id = MANAGER.allocate(ConnectionOptions.newBuilder().setSecurity(mode).build()).id();
      MANAGER.close(id);
      ids.add(id);
    }
    return List.copyOf(ids);
  }

  /** Remembers what a unary call answered. */
  private static final class Recorder<T> implements StreamObserver<T> {
    private T response;
    private Throwable error;
    private boolean completed;

    /** The response, or null after an allowed refusal; a finding otherwise. */
    T outcome() {
      if (error != null) {
        assertThat(error).isInstanceOf(StatusRuntimeException.class);
        Status status = ((StatusRuntimeException) error).getStatus();
        assertThat(status.getCode()).isIn(REFUSALS);
        assertThat(status.getDescription()).isNotBlank();
        return null;
      }
      assertThat(completed).as("completed after its response").isTrue();
      return response;
    }

    @Override
    public void onNext(T value) {
      response = value;
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }
  }
}
