package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.InProcessSidecar;
import dev.punchd.testing.Pair;
import dev.punchd.testing.StreamClient;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.CloseInitiator;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.SecurityMode;
import dev.punchd.v1.StreamRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every RPC of punchd.v1.HolePunch through an in-process server over a real engine. */
class HolePunchServiceTest {
  private static final ConnectionOptions SECURE = ConnectionOptions.getDefaultInstance();
  private static final String SOME_FINGERPRINT = "ab".repeat(32);

  private InProcessSidecar a;
  private InProcessSidecar b;

  @BeforeEach
  void start() throws Exception {
    a = InProcessSidecar.start();
    b = InProcessSidecar.start();
  }

  @AfterEach
  void stop() throws Exception {
    a.close();
    b.close();
  }

  @Test
  void getAddressesAllocatesAConnectionOnLoopbackWithAFingerprint() {
    GetAddressesResponse response = Pair.allocate(a, SECURE);

    assertThat(response.getConnectionId()).isNotBlank();
    assertThat(response.getLocalAddressesList()).isNotEmpty()
        .allMatch(address -> address.startsWith("127.") || address.startsWith("[::1]") || address.startsWith("[0:0"));
    String port = response.getLocalAddresses(0).replaceAll("^.*:", "");
    assertThat(response.getLocalAddressesList()).allMatch(address -> address.endsWith(":" + port));
    assertThat(response.getPublicAddressesList()).isEmpty();
    assertThat(response.getDiscoveryError()).contains("discovery is off");
    assertThat(response.getFingerprint()).matches("[0-9a-f]{64}");
    assertThat(response.getSecurity()).isEqualTo(SecurityMode.SECURE);
  }

  @Test
  void getAddressesOfAnExistingConnectionDescribesIt() {
    GetAddressesResponse allocated = Pair.allocate(a, SECURE);
    GetAddressesResponse described = a.blocking().getAddresses(
        GetAddressesRequest.newBuilder().setConnectionId(allocated.getConnectionId()).build());

    assertThat(described).isEqualTo(allocated);
  }

  @Test
  void rawConnectionsHaveNoFingerprint() {
    GetAddressesResponse raw = Pair.allocate(a, ConnectionOptions.newBuilder().setSecurity(SecurityMode.RAW).build());

    assertThat(raw.getFingerprint()).isEmpty();
    assertThat(raw.getSecurity()).isEqualTo(SecurityMode.RAW);
  }

  @Test
  void unknownIdsAreNotFoundInEveryRpc() throws Exception {
    String unknown = "no-such-connection";
    assertStatus(() -> a.blocking().getAddresses(GetAddressesRequest.newBuilder().setConnectionId(unknown).build()),
        Status.Code.NOT_FOUND, unknown);
    assertStatus(() -> a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(unknown)
        .addPeerAddresses("127.0.0.1:9").setPeerFingerprint(SOME_FINGERPRINT).build()), Status.Code.NOT_FOUND, unknown);
    assertStatus(() -> a.blocking().close(CloseRequest.newBuilder().setConnectionId(unknown).build()),
        Status.Code.NOT_FOUND, unknown);
    assertThat(EventRecorder.subscribe(a.async(), unknown).awaitEnd(Duration.ofSeconds(10)).getCode())
        .isEqualTo(Status.Code.NOT_FOUND);
    StreamClient stream = StreamClient.open(a.async(), unknown);
    assertThat(stream.awaitEnd(Duration.ofSeconds(10)).getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "nonsense", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "example.com:80",
      "300.1.1.1:80", "::1:80", "[::1]"})
  void malformedPeerAddressesAreInvalidAndNamed(String address) {
    String id = Pair.allocate(a, SECURE).getConnectionId();

    assertStatus(() -> a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(id)
            .addPeerAddresses("127.0.0.1:9").addPeerAddresses(address).setPeerFingerprint(SOME_FINGERPRINT).build()),
        Status.Code.INVALID_ARGUMENT, "'" + address + "'");
    // The refusal left the connection untouched: a correct attempt is still accepted.
    a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(id)
        .addPeerAddresses("127.0.0.1:9").setPeerFingerprint(SOME_FINGERPRINT).build());
  }

  @Test
  void attemptNeedsAddressesAndAWellFormedForeignFingerprint() {
    GetAddressesResponse own = Pair.allocate(a, SECURE);
    AttemptConnectionRequest.Builder base = AttemptConnectionRequest.newBuilder().setConnectionId(own.getConnectionId());

    assertStatus(() -> a.blocking().attemptConnection(base.clone().setPeerFingerprint(SOME_FINGERPRINT).build()),
        Status.Code.INVALID_ARGUMENT, "peer_addresses is empty");
    assertStatus(() -> a.blocking().attemptConnection(base.clone().addPeerAddresses("127.0.0.1:9").build()),
        Status.Code.INVALID_ARGUMENT, "peer_fingerprint is required");
    assertStatus(() -> a.blocking().attemptConnection(base.clone().addPeerAddresses("127.0.0.1:9")
        .setPeerFingerprint("xyz").build()), Status.Code.INVALID_ARGUMENT, "'xyz'");
    assertStatus(() -> a.blocking().attemptConnection(base.clone().addPeerAddresses("127.0.0.1:9")
        .setPeerFingerprint(own.getFingerprint()).build()), Status.Code.INVALID_ARGUMENT, "own fingerprint");
  }

  @Test
  void badConnectionOptionsAreInvalid() {
    assertStatus(() -> Pair.allocate(a, ConnectionOptions.newBuilder().setAttemptTimeoutMs(3_600_000).build()),
        Status.Code.INVALID_ARGUMENT, "attempt_timeout_ms 3600000");
    assertStatus(() -> Pair.allocate(a, ConnectionOptions.newBuilder().setRetryIntervalMs(1).build()),
        Status.Code.INVALID_ARGUMENT, "retry_interval_ms 1");
    assertThat(a.manager().liveConnections()).isZero();
  }

  @Test
  void attemptIsAllowedOnceAndNotAfterClose() {
    String attempted = Pair.allocate(a, SECURE).getConnectionId();
    AttemptConnectionRequest attempt = AttemptConnectionRequest.newBuilder().setConnectionId(attempted)
        .addPeerAddresses("127.0.0.1:9").setPeerFingerprint(SOME_FINGERPRINT).build();
    a.blocking().attemptConnection(attempt);
    assertStatus(() -> a.blocking().attemptConnection(attempt), Status.Code.FAILED_PRECONDITION, "CONNECTING");

    String closed = Pair.allocate(a, SECURE).getConnectionId();
    a.blocking().close(CloseRequest.newBuilder().setConnectionId(closed).build());
    assertStatus(() -> a.blocking().attemptConnection(attempt.toBuilder().setConnectionId(closed).build()),
        Status.Code.FAILED_PRECONDITION, "CLOSED");
  }

  @Test
  void closeIsIdempotentAndReportsWhoClosed() throws Exception {
    String id = Pair.allocate(a, SECURE).getConnectionId();
    EventRecorder events = EventRecorder.subscribe(a.async(), id);

    a.blocking().close(CloseRequest.newBuilder().setConnectionId(id).build());
    a.blocking().close(CloseRequest.newBuilder().setConnectionId(id).build());

    Event closed = events.next();
    assertThat(closed.getClosed().getReason()).isEqualTo(CloseReason.APPLICATION);
    assertThat(closed.getClosed().getInitiator()).isEqualTo(CloseInitiator.LOCAL);
    assertThat(events.awaitEnd(Duration.ofSeconds(10))).isEqualTo(Status.OK);
    assertThat(a.manager().liveConnections()).isZero();
  }

  @Test
  void lateSubscribersGetTheHistoryReplayedThenLiveEvents() throws Exception {
    Pair pair = Pair.attempt(a, b, SECURE);
    pair.awaitEstablished();

    EventRecorder late = EventRecorder.subscribe(a.async(), pair.idA());
    EventRecorder everything = EventRecorder.subscribe(a.async(), "");
    Event replayed = late.next();
    assertThat(replayed.hasEstablished()).isTrue();
    assertThat(replayed.getConnectionId()).isEqualTo(pair.idA());
    assertThat(replayed.getEstablished().getSecurity()).isEqualTo(SecurityMode.SECURE);
    assertThat(everything.next()).isEqualTo(replayed);

    b.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idB()).build());
    Event closed = late.next();
    assertThat(closed.getClosed().getInitiator()).isEqualTo(CloseInitiator.PEER);
    assertThat(closed.getClosed().getReason()).isEqualTo(CloseReason.APPLICATION);
    assertThat(everything.next()).isEqualTo(closed);
    assertThat(late.awaitEnd(Duration.ofSeconds(10))).isEqualTo(Status.OK);

    EventRecorder afterTheEnd = EventRecorder.subscribe(a.async(), pair.idA());
    assertThat(List.of(afterTheEnd.next(), afterTheEnd.next())).containsExactly(replayed, closed);
    assertThat(afterTheEnd.awaitEnd(Duration.ofSeconds(10))).isEqualTo(Status.OK);
  }

  @Test
  void streamOpenedBeforeEstablishmentCarriesDataOnceEstablished() throws Exception {
    GetAddressesResponse addressesA = Pair.allocate(a, SECURE);
    GetAddressesResponse addressesB = Pair.allocate(b, SECURE);
    StreamClient early = StreamClient.open(a.async(), addressesA.getConnectionId(), true, true);
    early.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("sent before established\n")).build());

    a.blocking().attemptConnection(Pair.attemptTowards(addressesA.getConnectionId(), addressesB));
    b.blocking().attemptConnection(Pair.attemptTowards(addressesB.getConnectionId(), addressesA));
    // B attaches its Stream only after the bytes have arrived: they waited in B's sidecar.
    EventRecorder eventsB = EventRecorder.subscribe(b.async(), addressesB.getConnectionId());
    assertThat(eventsB.next().hasEstablished()).isTrue();
    dev.punchd.testing.Awaiting.until(Duration.ofSeconds(10), "bytes buffered at B",
        () -> b.manager().get(addressesB.getConnectionId()).pipe().bufferedBytes() > 0);
    StreamClient late = StreamClient.open(b.async(), addressesB.getConnectionId(), true, true);

    dev.punchd.testing.Awaiting.until(Duration.ofSeconds(10), "bytes delivered", () -> late.receivedBytes() == 24);
    assertThat(new String(late.receivedBytesKept(), StandardCharsets.UTF_8)).isEqualTo("sent before established\n");
  }

  @Test
  void streamErrors() throws Exception {
    Pair pair = Pair.attempt(a, b, SECURE);
    pair.awaitEstablished();

    StreamClient noId = StreamClient.open(a.async(), "");
    assertThat(noId.awaitEnd(Duration.ofSeconds(10)).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    StreamClient first = StreamClient.open(a.async(), pair.idA());
    dev.punchd.testing.Awaiting.until(Duration.ofSeconds(10), "first Stream attached",
        () -> a.manager().get(pair.idA()).pipe().hasStream());
    StreamClient second = StreamClient.open(a.async(), pair.idA());
    Status secondEnd = second.awaitEnd(Duration.ofSeconds(10));
    assertThat(secondEnd.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(secondEnd.getDescription()).contains("already has a Stream");
    assertThat(first.isEnded()).isFalse();

    // Cancelling a Stream detaches it; the connection lives on and a new Stream attaches.
    first.cancel();
    dev.punchd.testing.Awaiting.until(Duration.ofSeconds(10), "first Stream detached",
        () -> !a.manager().get(pair.idA()).pipe().hasStream());
    StreamClient again = StreamClient.open(a.async(), pair.idA());
    StreamClient atB = StreamClient.open(b.async(), pair.idB());
    again.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("still alive")).build());
    dev.punchd.testing.Awaiting.until(Duration.ofSeconds(10), "data after the error", () -> atB.receivedBytes() == 11);

    a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
    assertThat(again.awaitEnd(Duration.ofSeconds(10)).getCode()).isEqualTo(Status.Code.CANCELLED);
    StreamClient afterClose = StreamClient.open(a.async(), pair.idA());
    assertThat(afterClose.awaitEnd(Duration.ofSeconds(10)).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  @Test
  void connectionLimitIsResourceExhaustedAndTheSidecarKeepsServing() throws Exception {
    try (InProcessSidecar small = InProcessSidecar.start(s -> s.withLimits(2, 1 << 20))) {
      String first = Pair.allocate(small, SECURE).getConnectionId();
      Pair.allocate(small, SECURE);

      assertStatus(() -> Pair.allocate(small, SECURE), Status.Code.RESOURCE_EXHAUSTED, "connection limit reached: 2");

      small.blocking().close(CloseRequest.newBuilder().setConnectionId(first).build());
      assertThat(Pair.allocate(small, SECURE).getConnectionId()).isNotBlank();
    }
  }

  @Test
  void unusedConnectionsExpire() throws Exception {
    try (InProcessSidecar quick = InProcessSidecar.start(s -> s.withTimeouts(Duration.ofSeconds(5),
        Duration.ofMillis(200)))) {
      String id = Pair.allocate(quick, SECURE).getConnectionId();
      EventRecorder events = EventRecorder.subscribe(quick.async(), id);

      Event closed = events.next(Duration.ofSeconds(10));
      assertThat(closed.getClosed().getReason()).isEqualTo(CloseReason.EXPIRED);
      assertThat(quick.manager().liveConnections()).isZero();
    }
  }

  @Test
  void anAttemptNobodyAnswersFailsWithTimeoutAndPerAddressErrors() throws Exception {
    ConnectionOptions quick = ConnectionOptions.newBuilder().setAttemptTimeoutMs(1500).build();
    String id = Pair.allocate(a, quick).getConnectionId();
    EventRecorder events = EventRecorder.subscribe(a.async(), id);
    // A port on loopback where nothing listens: every dial is refused.
    a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder().setConnectionId(id)
        .addPeerAddresses("127.0.0.1:9").setPeerFingerprint(SOME_FINGERPRINT).build());

    Event failed = events.next();
    assertThat(failed.getFailed().getReason()).isEqualTo(dev.punchd.v1.FailureReason.TIMEOUT);
    assertThat(failed.getFailed().getMessage()).contains("within 1500 ms");
    assertThat(failed.getFailed().getAddressErrorsList()).singleElement().satisfies(error -> {
      assertThat(error.getAddress()).isEqualTo("127.0.0.1:9");
      assertThat(error.getAttempts()).isGreaterThan(1);
      assertThat(error.getError()).contains("refused");
    });
    assertThat(events.awaitEnd(Duration.ofSeconds(10))).isEqualTo(Status.OK);
    assertThat(a.manager().liveConnections()).isZero();
  }

  private static void assertStatus(Runnable call, Status.Code code, String descriptionPart) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(descriptionPart);
    });
  }
}
