package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.DROP;
import static dev.punchd.natlab.LabSetup.Nat.CONE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Awaiting;
import dev.punchd.testing.Pair;
import dev.punchd.testing.RandomBytes;
import dev.punchd.testing.StreamClient;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What breaks after a connection is up, through real NATs (a1 behind nat-a, b1 behind nat-b, both cone,
 * dropping unsolicited inbound): packet loss and a 1 s outage are survived intact; a path that stays dead
 * and a killed peer end the connection as CONNECTION_LOST within the peer timeout (plus a margin against a
 * hang); a flushed NAT mapping either heals or ends the same way. Whatever happens, what arrived is a prefix
 * of what was sent (SHA-256). The sidecars keep alive every second and give a silent peer 6 s; sessions are
 * on, as by default, with a 5 s resume window, so a lost SECURE path is re-punched that long before the
 * connection is lost ({@code NatLabPathChangeTest} covers paths that come back). Needs root (fails under
 * CI=true without it).
 */
@Tag("natlab")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatLabFaultTest {
  /** Long enough for TCP's retransmission backoff after the short outage (its silence outlasts the outage). */
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(6);
  private static final Duration SHORT_OUTAGE = Duration.ofSeconds(1);
  private static final Duration RESUME_WINDOW = Duration.ofSeconds(5);
  /** A fault's outcome later than this after the fault is a hang, not a slow machine. */
  private static final Duration OUTCOME_BOUND = PEER_TIMEOUT.plus(RESUME_WINDOW).plusSeconds(20);
  private static final long DATA_BYTES = 8L << 20;
  private static final int CHUNK = 16 * 1024;
  private static final LabSetup SETUP = new LabSetup("two-nats", CONE, CONE, DROP, 0);

  private final Path repoRoot = NatLab.findRepoRoot();
  private final NatLab lab = new NatLab(repoRoot, "f" + ProcessHandle.current().pid());
  private LabSidecar a;
  private LabSidecar b;

  @BeforeAll
  void openLab() throws Exception {
    Optional<String> missing = LabPrerequisites.missing(lab.id());
    if (missing.isPresent()) {
      LabPrerequisites.skipOrFail(missing.get());
    }
    lab.up(SETUP);
    a = start("a1");
    b = start("b1");
  }

  private LabSidecar start(String host) throws Exception {
    Path logs = Files.createDirectories(repoRoot.resolve("server/target/natlab-logs"));
    return LabSidecar.start(lab, host, Files.createTempDirectory("natlab-fault-").resolve(host + ".sock"),
        logs.resolve(lab.id() + "-" + host + "-" + System.nanoTime() + ".log"),
        List.of("--public-ip", "static:" + SETUP.publicIpOf(host), "--keepalive-interval", "1s",
            "--peer-timeout", PEER_TIMEOUT.toSeconds() + "s", "--resume-window", RESUME_WINDOW.toSeconds() + "s"));
  }

  @AfterAll
  void closeLab() throws Exception {
    try {
      for (LabSidecar sidecar : new LabSidecar[] {a, b}) {
        if (sidecar != null) {
          sidecar.close();
        }
      }
    } finally {
      lab.down();
    }
  }

  @Test
  @Order(1)
  void packetLossSlowsTheTransferButLosesNothing() throws Exception {
    Transfer transfer = Transfer.start(a, b, SecurityMode.SECURE);
    fault("nat-a", "loss", "10");
    try {
      transfer.assertComplete();
    } finally {
      fault("nat-a", "loss", "0");
    }
    transfer.close();
  }

  @Test
  @Order(2)
  void aShortOutageOfThePublicLinkIsSurvived() throws Exception {
    Transfer transfer = Transfer.start(a, b, SecurityMode.SECURE);
    transfer.awaitFlowing();
    fault("nat-b", "link-down");
    try {
      Thread.sleep(SHORT_OUTAGE); // the fault's length, well below the peer timeout
    } finally {
      fault("nat-b", "link-up");
    }
    transfer.assertComplete();
    transfer.close();
  }

  @Test
  @Order(3)
  void aPathThatStaysDeadEndsBothSidesAsConnectionLost() throws Exception {
    Transfer busy = Transfer.start(a, b, SecurityMode.SECURE);
    Transfer idleRaw = Transfer.establish(a, b, SecurityMode.RAW);
    busy.awaitFlowing();
    fault("nat-b", "link-down");
    try {
      busy.assertLost();
      idleRaw.assertLost();
    } finally {
      fault("nat-b", "link-up");
    }
  }

  @Test
  @Order(4)
  void aFlushedNatMappingHealsOrEndsAsConnectionLost() throws Exception {
    Transfer transfer = Transfer.start(a, b, SecurityMode.SECURE);
    transfer.awaitFlowing();
    fault("nat-a", "flush-nat");
    fault("nat-b", "flush-nat");
    transfer.assertCompleteOrLost();
    transfer.close();
  }

  @Test
  @Order(5)
  void aKilledPeerIsNoticedAsConnectionLost() throws Exception {
    Transfer transfer = Transfer.start(a, b, SecurityMode.SECURE);
    transfer.awaitFlowing();
    b.process().kill();
    Event closed = transfer.pair.eventsA.next(OUTCOME_BOUND);
    assertThat(closed.getClosed().getReason()).as("%s", closed).isEqualTo(CloseReason.CONNECTION_LOST);
    assertThat(transfer.sender.awaitEnd(OUTCOME_BOUND).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  private void fault(String host, String... action) throws Exception {
    lab.fault(host, action);
  }

  /** A connection between a1 and b1 and, once started, A sending random bytes to B, who reads them all. */
  private static final class Transfer {
    final Pair pair;
    final LabSidecar from;
    final long seed = ThreadLocalRandom.current().nextLong();
    StreamClient sender;
    StreamClient receiver;
    CompletableFuture<Void> sending;

    private Transfer(Pair pair, LabSidecar from) {
      this.pair = pair;
      this.from = from;
    }

    static Transfer establish(LabSidecar a, LabSidecar b, SecurityMode mode) throws InterruptedException {
      Transfer transfer = new Transfer(Pair.attempt(a, b, ConnectionOptions.newBuilder().setSecurity(mode).build()),
          a);
      for (Event event : new Event[] {transfer.pair.eventsA.next(), transfer.pair.eventsB.next()}) {
        assertThat(event.hasEstablished()).as("%s", event).isTrue();
      }
      return transfer;
    }

    static Transfer start(LabSidecar a, LabSidecar b, SecurityMode mode) throws InterruptedException {
      Transfer transfer = establish(a, b, mode);
      transfer.sender = StreamClient.open(a.async(), transfer.pair.idA());
      transfer.receiver = StreamClient.open(b.async(), transfer.pair.idB());
      transfer.sending = CompletableFuture.runAsync(() -> {
        try {
          transfer.sender.send(new RandomBytes(transfer.seed), DATA_BYTES, CHUNK);
        } catch (Exception e) {
          throw new IllegalStateException(e); // expected when the connection is lost
        }
      });
      return transfer;
    }

    void awaitFlowing() {
      Awaiting.until(OUTCOME_BOUND, "bytes to flow", () -> receiver.receivedBytes() > 0);
    }

    void assertComplete() {
      Awaiting.until(OUTCOME_BOUND.multipliedBy(3), "all " + DATA_BYTES + " bytes to arrive",
          () -> receiver.receivedBytes() == DATA_BYTES || receiver.isEnded());
      assertThat(receiver.receivedBytes()).as("bytes B received").isEqualTo(DATA_BYTES);
      assertPrefix();
    }

    void assertLost() throws Exception {
      for (Event event : new Event[] {pair.eventsA.next(OUTCOME_BOUND), pair.eventsB.next(OUTCOME_BOUND)}) {
        assertThat(event.hasClosed()).as("%s", event).isTrue();
        assertThat(event.getClosed().getReason()).as("%s", event).isEqualTo(CloseReason.CONNECTION_LOST);
      }
      if (receiver != null) {
        assertThat(receiver.awaitEnd(OUTCOME_BOUND).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertPrefix();
      }
    }

    void assertCompleteOrLost() throws Exception {
      Awaiting.until(OUTCOME_BOUND.multipliedBy(3), "the transfer to finish or the connection to end",
          () -> receiver.receivedBytes() == DATA_BYTES || receiver.isEnded());
      if (receiver.isEnded()) {
        assertLost();
      } else {
        assertPrefix();
      }
    }

    private void assertPrefix() {
      long received = receiver.receivedBytes();
      assertThat(receiver.receivedDigest()).as("SHA-256 of the %d bytes B received (seed %d)", received, seed)
          .isEqualTo(RandomBytes.digestOf(seed, received, CHUNK));
    }

    void close() {
      from.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
    }
  }
}
