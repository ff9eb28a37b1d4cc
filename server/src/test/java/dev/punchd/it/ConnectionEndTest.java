package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.punchd.engine.DataPipe;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.InProcessSidecar;
import dev.punchd.testing.Pair;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseInitiator;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.EventsRequest;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.SecurityMode;
import dev.punchd.v1.StreamRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** How connections end: statuses, bytes before the end, Close bounded by nothing the peer does. */
class ConnectionEndTest {

  @ParameterizedTest
  @EnumSource(value = SecurityMode.class, names = {"SECURE", "RAW"})
  void ownCloseIsCancelledThePeersCloseIsUnavailable(SecurityMode mode) throws Exception {
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start()) {
      Pair pair = Pair.attempt(a, b, ConnectionOptions.newBuilder().setSecurity(mode).build());
      pair.awaitEstablished();
      StreamClient streamA = StreamClient.open(a.async(), pair.idA());
      StreamClient streamB = StreamClient.open(b.async(), pair.idB());
      awaitAttached(a, pair.idA());
      awaitAttached(b, pair.idB());

      a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());

      assertThat(streamA.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.CANCELLED);
      Status endB = streamB.awaitEnd(Duration.ofSeconds(30));
      assertThat(endB.getCode()).as("%s", endB).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(endB.getDescription()).contains("PEER");
      Event closedB = pair.eventsB.next();
      assertThat(closedB.getClosed().getInitiator()).isEqualTo(CloseInitiator.PEER);
      if (mode == SecurityMode.SECURE) {
        assertThat(closedB.getClosed().getReason()).isEqualTo(CloseReason.APPLICATION);
      }
    }
  }

  /**
   * A message that arrives after the connection ended used to end the call with FAILED_PRECONDITION before the
   * bytes received earlier were delivered.
   */
  @Test
  void everyByteReceivedBeforeTheEndIsDeliveredBeforeItEvenWhileTheClientStillSends() throws Exception {
    long size = 200 * 1024;
    int chunk = 16 * 1024;
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start()) {
      Pair pair = Pair.attempt(a, b, ConnectionOptions.getDefaultInstance());
      pair.awaitEstablished();
      StreamClient streamA = StreamClient.open(a.async(), pair.idA());
      StreamClient streamB = StreamClient.open(b.async(), pair.idB(), false, false);
      streamA.send(new RandomBytes(3), size, chunk);
      streamA.finish();
      Awaiting.until(Duration.ofSeconds(30), "every byte (then A's FIN) to reach B's sidecar",
          () -> b.sidecar().manager().get(pair.idB()).pipe().peerFinished());

      a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
      assertThat(pair.eventsB.next().hasClosed()).isTrue();
      streamB.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("late")).build());
      streamB.read(Integer.MAX_VALUE);

      assertThat(streamB.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(streamB.receivedBytes()).isEqualTo(size);
      assertThat(streamB.receivedDigest()).isEqualTo(RandomBytes.digestOf(3, size, chunk));
    }
  }

  /**
   * With the peer's application not reading, this side's writer blocks inside the TLS layer holding its
   * record lock; closing the TLS socket then waited on that lock forever, and so did Close.
   */
  @ParameterizedTest
  @EnumSource(value = SecurityMode.class, names = {"SECURE", "RAW"})
  void closeReturnsWithinItsBoundWhileThePeerDoesNotRead(SecurityMode mode) throws Exception {
    try (TestSidecar a = TestSidecar.start(s -> s.withLimits(16, 64 * 1024));
        TestSidecar b = TestSidecar.start(s -> s.withLimits(16, 64 * 1024))) {
      Pair pair = Pair.attempt(a, b, ConnectionOptions.newBuilder().setSecurity(mode).build());
      pair.awaitEstablished();
      StreamClient writer = StreamClient.open(a.async(), pair.idA());
      StreamClient stalled = StreamClient.open(b.async(), pair.idB(), false, false);
      CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
        try {
          writer.send(new RandomBytes(5), 1L << 30, 64 * 1024);
        } catch (Exception e) {
          throw new IllegalStateException(e); // expected: the stream ends under it
        }
      });
      // Blocked: A's queue is full and the client's progress has stopped for a second.
      long[] last = {-1, System.nanoTime()};
      Awaiting.until(Duration.ofSeconds(120), "A's writer to be blocked by B", () -> {
        long sent = writer.sentBytes();
        if (sent != last[0]) {
          last[0] = sent;
          last[1] = System.nanoTime();
        }
        return a.sidecar().manager().get(pair.idA()).pipe().queuedForPeer() >= DataPipe.SEND_WINDOW
            && System.nanoTime() - last[1] > TimeUnit.SECONDS.toNanos(1);
      });

      a.blocking().withDeadlineAfter(10, TimeUnit.SECONDS)
          .close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());

      assertThat(writer.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.CANCELLED);
      assertThat(pair.eventsA.next().getClosed().getReason()).isEqualTo(CloseReason.APPLICATION);
      stalled.read(Integer.MAX_VALUE);
      assertThat(stalled.awaitEnd(Duration.ofSeconds(30)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(sending).failsWithin(Duration.ofSeconds(30));
    }
  }

  /** An Events call cancelled by its client while Close publishes to it, many times over: nothing freezes. */
  @Test
  void closeAndAnEventsCancelAtTheSameMomentNeverDeadlock() throws Exception {
    try (InProcessSidecar sidecar = InProcessSidecar.start()) {
      for (int round = 0; round < 200; round++) {
        String id = sidecar.blocking().getAddresses(GetAddressesRequest.getDefaultInstance()).getConnectionId();
        List<CancellableEvents> watchers = new ArrayList<>();
        watchers.add(CancellableEvents.open(sidecar, id));
        watchers.add(CancellableEvents.open(sidecar, ""));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> sidecar.blocking()
            .withDeadlineAfter(10, TimeUnit.SECONDS).close(CloseRequest.newBuilder().setConnectionId(id).build()));
        watchers.forEach(CancellableEvents::cancel);
        closing.get(20, TimeUnit.SECONDS);
      }
      // The sidecar still answers.
      assertThat(sidecar.blocking().getAddresses(GetAddressesRequest.getDefaultInstance()).getConnectionId())
          .isNotEmpty();
    }
  }

  private static void awaitAttached(TestSidecar sidecar, String id) {
    Awaiting.until(Duration.ofSeconds(30), "the Stream to attach", () -> sidecar.sidecar().manager().get(id).pipe()
        .hasStream());
  }

  /** An Events call its client can cancel. */
  private static final class CancellableEvents implements ClientResponseObserver<EventsRequest, Event> {
    private ClientCallStreamObserver<EventsRequest> call;

    static CancellableEvents open(InProcessSidecar sidecar, String id) {
      CancellableEvents events = new CancellableEvents();
      sidecar.async().events(EventsRequest.newBuilder().setConnectionId(id).build(), events);
      return events;
    }

    void cancel() {
      call.cancel("the test cancels", null);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<EventsRequest> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(Event event) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
