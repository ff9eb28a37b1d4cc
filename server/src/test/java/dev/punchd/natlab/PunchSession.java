package dev.punchd.natlab;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.StreamRequest;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One connection between two lab sidecars, driven through the whole API the way two applications would:
 * GetAddresses, Events, AttemptConnection, then Stream (SHA-256-checked data both ways, half-close) and
 * Close. Closing the session sends Close to both sides. Not thread-safe.
 */
final class PunchSession implements AutoCloseable {
  static final long DATA_BYTES = 1 << 20;
  private static final int CHUNK = 64 * 1024;
  /** The last message B sends in {@link #assertDataBothWaysThenHalfClose()}: a known plaintext. */
  static final String LAST_WORDS = "sent after the peer finished";
  private static final Duration DATA_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration END_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(5);

  /** Which of the peer's advertised addresses a working connection runs over. */
  enum Route {
    /** The peer's local address (same LAN). */
    LOCAL,
    /** The peer's public address, port included (the NAT kept the port). */
    PUBLIC,
    /** The peer's public IP, any port (a symmetric NAT picks a new port for every flow). */
    PUBLIC_IP
  }

  /**
   * The first event of each side, and how long after the first AttemptConnection, and after the later one,
   * the later of them came.
   */
  record Outcome(Event a, Event b, Duration elapsed, Duration afterLaterCall) {
    boolean bothEstablished() {
      return a.hasEstablished() && b.hasEstablished();
    }

    /** The slower side's own measure of establishing (Established.establish_millis). */
    long establishMillis() {
      return Math.max(a.getEstablished().getEstablishMillis(), b.getEstablished().getEstablishMillis());
    }

    String describe() {
      return "A: " + describe(a) + "; B: " + describe(b) + " (after " + elapsed.toMillis() + " ms)";
    }

    private static String describe(Event event) {
      return switch (event.getKindCase()) {
        case ESTABLISHED -> "established " + event.getEstablished().getLocalAddress() + " -> "
            + event.getEstablished().getRemoteAddress() + " in " + event.getEstablished().getEstablishMillis() + " ms";
        case FAILED -> "failed " + event.getFailed().getReason() + ": " + event.getFailed().getMessage()
            + " " + event.getFailed().getAddressErrorsList().stream()
                .map(e -> e.getAddress() + " x" + e.getAttempts() + " [" + e.getError() + "]").toList();
        default -> event.toString().strip();
      };
    }
  }

  private final NatLab lab;
  private final LabSidecar a;
  private final LabSidecar b;
  private final Pair pair;
  private final long startNanos;
  private final long laterCallNanos;

  private PunchSession(NatLab lab, LabSidecar a, LabSidecar b, Pair pair, long startNanos, long laterCallNanos) {
    this.lab = lab;
    this.a = a;
    this.b = b;
    this.pair = pair;
    this.startNanos = startNanos;
    this.laterCallNanos = laterCallNanos;
  }

  /**
   * Allocates a connection on each side, subscribes to its events and attempts it toward the other side;
   * times are measured from the first AttemptConnection.
   */
  static PunchSession attempt(NatLab lab, LabSidecar a, LabSidecar b, ConnectionOptions options) {
    Pair pair = Pair.allocateBoth(a, b, options);
    long start = System.nanoTime();
    return new PunchSession(lab, a, b, pair.attemptBoth(), start, start);
  }

  /**
   * Like {@link #attempt}, but the two AttemptConnection calls come {@code skew} apart, {@code first} (A or
   * B) calling first: applications exchange addresses through their own servers, seconds apart.
   */
  static PunchSession attemptApart(NatLab lab, LabSidecar a, LabSidecar b, ConnectionOptions options,
      Duration skew, boolean aFirst) throws InterruptedException {
    Pair pair = Pair.allocateBoth(a, b, options);
    long start = System.nanoTime();
    if (aFirst) {
      a.blocking().attemptConnection(Pair.attemptTowards(pair.idA(), pair.addressesB));
    } else {
      b.blocking().attemptConnection(Pair.attemptTowards(pair.idB(), pair.addressesA));
    }
    Thread.sleep(skew); // the skew under test between the two applications' calls, not a synchronisation
    long later = System.nanoTime();
    if (aFirst) {
      b.blocking().attemptConnection(Pair.attemptTowards(pair.idB(), pair.addressesA));
    } else {
      a.blocking().attemptConnection(Pair.attemptTowards(pair.idA(), pair.addressesB));
    }
    return new PunchSession(lab, a, b, pair, start, later);
  }

  Pair pair() {
    return pair;
  }

  /** Each side advertises its own address and the public IP the reflector saw (its NAT's), on its port. */
  void assertDiscovered(LabSetup setup) {
    assertAddresses(pair.addressesA, a.host(), setup);
    assertAddresses(pair.addressesB, b.host(), setup);
  }

  private static void assertAddresses(GetAddressesResponse response, String host, LabSetup setup) {
    assertThat(response.getLocalAddressesList()).as("%s's local addresses", host).hasSize(1);
    int port = port(response.getLocalAddresses(0));
    assertThat(response.getLocalAddressesList()).as("%s's local addresses", host)
        .containsExactly(LabSetup.addressOf(host) + ":" + port);
    assertThat(response.getDiscoveryError()).as("%s's discovery error", host).isEmpty();
    assertThat(response.getPublicAddressesList()).as("%s's public addresses (from the reflector)", host)
        .containsExactly(setup.publicIpOf(host) + ":" + port);
    assertThat(response.getFingerprint()).as("%s's fingerprint", host).matches("[0-9a-f]{64}");
  }

  /** The first event of each side, failing if either takes longer than {@code bound} (a hang). */
  Outcome awaitOutcome(Duration bound) throws InterruptedException {
    Event first = pair.eventsA.next(bound);
    Duration left = bound.minusNanos(System.nanoTime() - startNanos);
    Event second = pair.eventsB.next(left.isNegative() ? Duration.ofMillis(1) : left);
    long now = System.nanoTime();
    return new Outcome(first, second, Duration.ofNanos(now - startNanos), Duration.ofNanos(now - laterCallNanos));
  }

  /** Both sides kept the same TCP connection, and it runs over the peer's address of {@code route}. */
  void assertEstablishedVia(Outcome outcome, Route route) {
    assertThat(outcome.bothEstablished()).as("both established: %s", outcome.describe()).isTrue();
    assertRemote(outcome.a(), pair.addressesB, route, "A");
    assertRemote(outcome.b(), pair.addressesA, route, "B");
    assertThat(outcome.a().getEstablished().getLocalAddress()).as("A's local address")
        .isEqualTo(pair.addressesA.getLocalAddresses(0));
    assertThat(outcome.b().getEstablished().getLocalAddress()).as("B's local address")
        .isEqualTo(pair.addressesB.getLocalAddresses(0));
  }

  private static void assertRemote(Event event, GetAddressesResponse peer, Route route, String side) {
    String remote = event.getEstablished().getRemoteAddress();
    switch (route) {
      case LOCAL -> assertThat(remote).as("%s's remote address", side).isEqualTo(peer.getLocalAddresses(0));
      case PUBLIC -> assertThat(remote).as("%s's remote address", side).isEqualTo(peer.getPublicAddresses(0));
      case PUBLIC_IP -> assertThat(ip(remote)).as("%s's remote IP", side).isEqualTo(ip(peer.getPublicAddresses(0)));
    }
  }

  /**
   * Sends {@link #DATA_BYTES} random bytes each way at once and checks their SHA-256 on arrival; then A
   * half-closes, B learns it after all of A's bytes and sends a last message, B half-closes, both Streams
   * complete, both sides report Closed(COMPLETED), and Close is accepted.
   */
  void assertDataBothWaysThenHalfClose() throws Exception {
    long seedA = ThreadLocalRandom.current().nextLong();
    long seedB = ThreadLocalRandom.current().nextLong();
    StreamClient streamA = StreamClient.open(a.async(), pair.idA());
    StreamClient streamB = StreamClient.open(b.async(), pair.idB());
    CompletableFuture<Void> sendA = CompletableFuture.runAsync(() -> send(streamA, seedA));
    CompletableFuture<Void> sendB = CompletableFuture.runAsync(() -> send(streamB, seedB));
    sendA.get(DATA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    sendB.get(DATA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Awaiting.until(DATA_TIMEOUT, "both sides received " + DATA_BYTES + " bytes",
        () -> streamA.receivedBytes() == DATA_BYTES && streamB.receivedBytes() == DATA_BYTES);
    assertThat(streamB.receivedDigest()).as("SHA-256 of what B received from A (seed %d)", seedA)
        .isEqualTo(RandomBytes.digestOf(seedA, DATA_BYTES, CHUNK));
    assertThat(streamA.receivedDigest()).as("SHA-256 of what A received from B (seed %d)", seedB)
        .isEqualTo(RandomBytes.digestOf(seedB, DATA_BYTES, CHUNK));

    streamA.finish();
    assertThat(streamB.awaitPeerFinished(END_TIMEOUT)).as("bytes B had when A's half-close arrived")
        .isEqualTo(DATA_BYTES);
    streamB.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8(LAST_WORDS)).build());
    streamB.finish();
    assertThat(streamA.awaitEnd(END_TIMEOUT)).as("A's Stream after both half-closed").isEqualTo(Status.OK);
    assertThat(streamB.awaitEnd(END_TIMEOUT)).as("B's Stream after both half-closed").isEqualTo(Status.OK);
    assertThat(streamA.peerFinished()).as("A saw B's half-close").isTrue();
    assertThat(streamB.receivedBytes()).as("bytes B received").isEqualTo(DATA_BYTES);
    assertThat(streamA.receivedBytes()).as("bytes A received").isEqualTo(DATA_BYTES + LAST_WORDS.length());
    assertClosed(pair.eventsA, "A");
    assertClosed(pair.eventsB, "B");
    closeBoth();
  }

  private static void assertClosed(EventRecorder events, String side) throws InterruptedException {
    Event event = events.next(END_TIMEOUT);
    assertThat(event.hasClosed()).as("%s's event after the half-closes: %s", side, event).isTrue();
    assertThat(event.getClosed().getReason()).as("%s's close reason", side).isEqualTo(CloseReason.COMPLETED);
  }

  private static void send(StreamClient stream, long seed) {
    try {
      stream.send(new RandomBytes(seed), DATA_BYTES, CHUNK);
    } catch (Exception e) {
      throw new IllegalStateException("sending " + DATA_BYTES + " bytes failed", e);
    }
  }

  /** Neither sidecar process still has a TCP socket on its connection's port (TIME_WAIT has no owner). */
  void assertPortsFreed() {
    assertPortFreed(a, port(pair.addressesA.getLocalAddresses(0)));
    assertPortFreed(b, port(pair.addressesB.getLocalAddresses(0)));
  }

  private void assertPortFreed(LabSidecar side, int port) {
    List<?>[] last = {List.of()};
    try {
      Awaiting.until(PORT_RELEASE_TIMEOUT, side + " frees port " + port, () -> {
        last[0] = socketsOn(side, port);
        return last[0].isEmpty();
      });
    } catch (AssertionError e) {
      throw new AssertionError(side + " still holds TCP sockets on port " + port + " "
          + PORT_RELEASE_TIMEOUT + " after the connection ended: " + last[0], e);
    }
  }

  private List<String> socketsOn(LabSidecar side, int port) {
    try {
      return side.socketsOnPort(lab, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing sockets", e);
    }
  }

  private void closeBoth() {
    a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
    b.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idB()).build());
  }

  /** Close on both sides (a no-op for a connection that already ended). */
  @Override
  public void close() {
    closeBoth();
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  private static String ip(String hostPort) {
    return hostPort.substring(0, hostPort.lastIndexOf(':'));
  }
}
