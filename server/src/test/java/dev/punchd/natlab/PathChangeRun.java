package dev.punchd.natlab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Awaiting;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TwoWayTransfer;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.PathChanged;
import dev.punchd.v1.PathKind;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection between a1 and b1 of the lab with a two-way transfer of {@link #SIZE} bytes each way, and
 * (but for {@link #directOnly()}) a fault injected once both sides received {@link #BEFORE_FAULT}: the
 * Stream must carry on over a new path, and the run measures when. So that the move happens mid-transfer
 * in both directions whatever the relay's speed, each sender sends its first {@link #FULL_SPEED_FIRST}
 * bytes at full speed, then one chunk per {@link #TRICKLE} until both sides moved (holding back the second
 * half until then), then the rest at full speed. Applications pass the peer's candidates typed, so both sides know a relayed path as RELAY. Not
 * thread-safe.
 */
final class PathChangeRun {
  static final int SIZE_MIB = 64;
  static final long SIZE = (long) SIZE_MIB << 20;
  /** Bytes each side receives on the first path before the fault. */
  static final long BEFORE_FAULT = 1L << 20;
  static final long FULL_SPEED_FIRST = 8L << 20;
  /** Neither sender sends past half its bytes before both sides moved. */
  private static final long HELD_BACK = SIZE / 2;
  private static final Duration TRICKLE = Duration.ofMillis(50);
  private static final Duration ESTABLISH_BOUND = Duration.ofSeconds(40);
  /** A PathChanged later than this after the fault is a failure to resume, not a slow machine. */
  private static final Duration MOVE_BOUND = Duration.ofSeconds(90);
  private static final Duration DATA_BOUND = Duration.ofSeconds(60);
  private static final Duration LINK_CUT = Duration.ofSeconds(5);
  private static final ConnectionOptions OPTIONS = ConnectionOptions.newBuilder().setAttemptTimeoutMs(30_000).build();

  /** What breaks the first path, and what path each side starts and ends on. */
  enum Fault {
    RELAY_TO_DIRECT("relayed (both routers drop the peers' direct traffic), then the direct path allowed",
        "after the block was lifted", PathKind.RELAY, PathKind.DIRECT),
    NAT_FLUSHED("nat-a and nat-b forget their mappings, strictly (flush-nat --strict)", "after the flush",
        PathKind.DIRECT, PathKind.DIRECT),
    LINK_CUT("nat-b's public link cut for 5 s", "after the cut began (5 s of it)", PathKind.DIRECT, PathKind.DIRECT),
    /**
     * The relayed path breaks while the direct path stays blocked: nat-a forgets a1's flows to coturn (its
     * allocation's too, if the path used it), so the path resumes through the relay whose allocation lives on.
     */
    RELAY_BROKEN("relayed (both routers drop the peers' direct traffic), then nat-a forgets its mappings strictly "
        + "(a1's flows to coturn break) while the direct path stays blocked", "after the flush", PathKind.RELAY,
        PathKind.RELAY);

    private final String description;
    private final String flowingFrom;
    private final PathKind startsOn;
    private final PathKind endsOn;

    Fault(String description, String flowingFrom, PathKind startsOn, PathKind endsOn) {
      this.description = description;
      this.flowingFrom = flowingFrom;
      this.startsOn = startsOn;
      this.endsOn = endsOn;
    }

    String description() {
      return description;
    }

    String flowingFrom() {
      return flowingFrom;
    }
  }

  /** One run's numbers. */
  record Measured(long establishMillis, long flowingAgainMillis, long pauseMillisA, long pauseMillisB,
      long movedAtA, long movedAtB, double megabytesPerSecondAfter) {
    String describe() {
      return SIZE_MIB + " MiB each way intact; moved with " + mib(movedAtA) + " / " + mib(movedAtB)
          + " MiB received at A / B; data flowing again " + flowingAgainMillis + " ms after the fault (pause "
          + pauseMillisA + " / " + pauseMillisB + " ms from loss to attach); after the move "
          + String.format(Locale.ROOT, "%.1f", megabytesPerSecondAfter) + " MB/s both ways together";
    }

    private static String mib(long bytes) {
      return String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
  }

  private final NatLab lab;
  private final LabSetup setup;
  private final LabSidecar a;
  private final LabSidecar b;
  private long establishMillis; // the slower side's, once connected

  PathChangeRun(NatLab lab, LabSetup setup, LabSidecar a, LabSidecar b) {
    this.lab = lab;
    this.setup = setup;
    this.a = a;
    this.b = b;
  }

  /** A transfer over a connection direct from the start, no fault: the throughput to compare with. */
  Measured directOnly() throws Exception {
    Pair pair = connect(PathKind.DIRECT);
    try {
      StreamClient streamA = StreamClient.open(a.async(), pair.idA());
      StreamClient streamB = StreamClient.open(b.async(), pair.idB());
      try (TransferProgress progress = TransferProgress.start(streamA, streamB)) {
        TwoWayTransfer transfer = start(streamA, streamB, TwoWayTransfer.Pace.FULL_SPEED);
        transfer.assertCompletedIntact();
        assertCompleted(pair);
        TransferProgress.Sample first = progress.firstByte();
        TransferProgress.Sample end = progress.firstWithBoth(SIZE);
        double rate = 2.0 * SIZE / ((end.nanos() - first.nanos()) / 1e9) / 1e6;
        return new Measured(establishMillis, 0, 0, 0, 0, 0, rate);
      }
    } finally {
      close(pair);
    }
  }

  /** A transfer across {@code fault}: it must complete intact over the new path. */
  Measured across(Fault fault) throws Exception {
    if (fault.startsOn == PathKind.RELAY) {
      // On both routers, so that neither keeps state of the blocked SYNs (see the design notes on upgrades).
      lab.fault("nat-a", "block", setup.publicIpOf("b1"));
      lab.fault("nat-b", "block", setup.publicIpOf("a1"));
    }
    Pair pair = null;
    CompletableFuture<Void> bothMoved = new CompletableFuture<>();
    try {
      pair = connect(fault.startsOn);
      StreamClient streamA = StreamClient.open(a.async(), pair.idA());
      StreamClient streamB = StreamClient.open(b.async(), pair.idB());
      try (TransferProgress progress = TransferProgress.start(streamA, streamB)) {
        TwoWayTransfer transfer = start(streamA, streamB, sent -> {
          if (sent >= HELD_BACK && !bothMoved.isDone()) {
            awaitQuietly(bothMoved); // the second half waits for the move
          } else if (sent >= FULL_SPEED_FIRST && !bothMoved.isDone()) {
            Thread.sleep(TRICKLE); // a sending rate until the move, not a synchronisation
          }
        });
        Awaiting.until(DATA_BOUND, "both sides received " + BEFORE_FAULT + " bytes on the first path",
            () -> streamA.receivedBytes() >= BEFORE_FAULT && streamB.receivedBytes() >= BEFORE_FAULT);
        CompletableFuture<Moved> movedA = awaitMove(pair.eventsA, progress);
        CompletableFuture<Moved> movedB = awaitMove(pair.eventsB, progress);
        long faultAt = System.nanoTime();
        System.out.printf("natlab pathchange %s: fault at %s, received A %d B %d%n", fault, LocalTime.now(),
            streamA.receivedBytes(), streamB.receivedBytes());
        inject(fault);
        Moved atA = movedA.get(MOVE_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        Moved atB = movedB.get(MOVE_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        bothMoved.complete(null);
        System.out.printf("natlab pathchange %s: moved at %s: A %s, B %s%n", fault, LocalTime.now(),
            atA.sample(), atB.sample());
        for (Moved moved : new Moved[] {atA, atB}) {
          assertThat(moved.change().getOldPath()).as("old path kind in %s", moved.change())
              .isEqualTo(fault.startsOn);
          assertThat(moved.change().getPath()).as("new path kind in %s", moved.change()).isEqualTo(fault.endsOn);
        }
        // Mid-transfer: neither side had all its bytes when either side moved.
        long movedNanos = Math.max(atA.sample().nanos(), atB.sample().nanos());
        assertThat(atA.sample().a()).as("bytes A had received when A moved (of %d)", SIZE).isLessThan(SIZE);
        assertThat(atB.sample().b()).as("bytes B had received when B moved (of %d)", SIZE).isLessThan(SIZE);
        transfer.assertCompletedIntact();
        assertCompleted(pair);

        TransferProgress.Sample flowingA = progress.firstGrowthAfter(atA.sample().nanos(), true);
        TransferProgress.Sample flowingB = progress.firstGrowthAfter(atB.sample().nanos(), false);
        long flowing = TimeUnit.NANOSECONDS.toMillis(Math.max(flowingA.nanos(), flowingB.nanos()) - faultAt);
        TransferProgress.Sample atMove = atA.sample().nanos() >= atB.sample().nanos() ? atA.sample() : atB.sample();
        TransferProgress.Sample end = progress.firstWithBoth(SIZE);
        double rate = (2.0 * SIZE - atMove.a() - atMove.b()) / ((end.nanos() - movedNanos) / 1e9) / 1e6;
        return new Measured(establishMillis, flowing, atA.change().getPauseMillis(),
            atB.change().getPauseMillis(), atA.sample().a(), atB.sample().b(), rate);
      }
    } finally {
      bothMoved.complete(null); // senders stop waiting for a move that failed
      try {
        if (pair != null) {
          close(pair);
        }
      } finally {
        restore(fault);
      }
    }
  }

  private static void awaitQuietly(CompletableFuture<Void> moved) throws InterruptedException {
    try {
      moved.get(MOVE_BOUND.plus(LINK_CUT).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // the run fails on the move itself; the sender just goes on
    }
  }

  /** A side's PathChanged and what both sides had received when it arrived. */
  private record Moved(PathChanged change, TransferProgress.Sample sample) {}

  private static CompletableFuture<Moved> awaitMove(EventRecorder events, TransferProgress progress) {
    CompletableFuture<Moved> moved = new CompletableFuture<>();
    Thread.ofVirtual().name("await-path-changed").start(() -> {
      try {
        Event event = events.next(MOVE_BOUND.plus(LINK_CUT));
        TransferProgress.Sample sample = progress.sample();
        assertThat(event.hasPathChanged()).as("the event after Established: %s", event).isTrue();
        moved.complete(new Moved(event.getPathChanged(), sample));
      } catch (InterruptedException | RuntimeException | AssertionError e) {
        moved.completeExceptionally(e);
      }
    });
    return moved;
  }

  private void inject(Fault fault) throws Exception {
    switch (fault) {
      case RELAY_TO_DIRECT -> {
        lab.fault("nat-a", "unblock");
        lab.fault("nat-b", "unblock");
      }
      case NAT_FLUSHED -> {
        lab.fault("nat-a", "flush-nat", "--strict");
        lab.fault("nat-b", "flush-nat", "--strict");
      }
      case LINK_CUT -> {
        lab.fault("nat-b", "link-down");
        Thread.sleep(LINK_CUT); // the fault's length, not a synchronisation
        lab.fault("nat-b", "link-up");
      }
      case RELAY_BROKEN -> lab.fault("nat-a", "flush-nat", "--strict"); // the blocks stay: filter rules, not state
    }
  }

  /** Undoes what {@code fault} changed in the lab, once the connection is closed. */
  private void restore(Fault fault) throws Exception {
    switch (fault) {
      case RELAY_TO_DIRECT -> {
        lab.fault("nat-a", "unblock");
        lab.fault("nat-b", "unblock");
      }
      case LINK_CUT -> lab.fault("nat-b", "link-up");
      case NAT_FLUSHED -> {
        lab.fault("nat-a", "flush-nat");
        lab.fault("nat-b", "flush-nat");
      }
      case RELAY_BROKEN -> {
        lab.fault("nat-a", "unblock");
        lab.fault("nat-b", "unblock");
        lab.fault("nat-a", "flush-nat");
      }
    }
  }

  /** Connects a1 and b1, expecting both to establish on {@code expected}; notes how long that took. */
  private Pair connect(PathKind expected) throws InterruptedException {
    Pair pair = Pair.allocateBoth(a, b, OPTIONS);
    a.blocking().attemptConnection(typedTowards(pair.idA(), pair.addressesB));
    b.blocking().attemptConnection(typedTowards(pair.idB(), pair.addressesA));
    for (Event event : new Event[] {pair.eventsA.next(ESTABLISH_BOUND), pair.eventsB.next(ESTABLISH_BOUND)}) {
      assertThat(event.hasEstablished()).as("%s", event).isTrue();
      assertThat(event.getEstablished().getPath()).as("the first path: %s", event).isEqualTo(expected);
      establishMillis = Math.max(establishMillis, event.getEstablished().getEstablishMillis());
    }
    return pair;
  }

  /** An AttemptConnection toward the peer's typed candidates, as an application passes them on. */
  private static AttemptConnectionRequest typedTowards(String connectionId, GetAddressesResponse peer) {
    return AttemptConnectionRequest.newBuilder().setConnectionId(connectionId)
        .addAllPeerCandidates(peer.getCandidatesList()).setPeerFingerprint(peer.getFingerprint()).build();
  }

  private static TwoWayTransfer start(StreamClient streamA, StreamClient streamB, TwoWayTransfer.Pace pace) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return TwoWayTransfer.start(streamA, streamB, random.nextLong(), random.nextLong(), SIZE, pace);
  }

  private static void assertCompleted(Pair pair) throws InterruptedException {
    for (EventRecorder events : new EventRecorder[] {pair.eventsA, pair.eventsB}) {
      Event event = events.next(DATA_BOUND);
      assertThat(event.hasClosed()).as("the event after the transfer: %s", event).isTrue();
      assertThat(event.getClosed().getReason()).as("%s", event).isEqualTo(CloseReason.COMPLETED);
    }
  }

  private void close(Pair pair) {
    a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
    b.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idB()).build());
  }
}
