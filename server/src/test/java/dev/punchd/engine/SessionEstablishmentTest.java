package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.session.PathBinder;
import dev.punchd.session.SessionLink;
import dev.punchd.testing.Awaiting;
import dev.punchd.transport.Link;
import dev.punchd.transport.MappingOpener;
import dev.punchd.transport.RawLink;
import dev.punchd.transport.SharedPort;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a session does on the establishment path: the controlling side's OPEN leaves with the winning candidate
 * ({@link PathResume#opening}), before the attempt reports it; {@link PathResume#open} agrees on the session over
 * the nominated path and does nothing else. The standby listener for the peer's later paths (a bound socket and an
 * attempt's threads) starts only with {@link PathResume#watchForNewPaths}, which the connection calls once
 * Established is published.
 */
class SessionEstablishmentTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void openingTheSessionStartsNoListenerAndWatchingForNewPathsDoes() throws Exception {
    try (NominatedPath path = new NominatedPath()) {
      Link session = path.resume.open(path.link, false); // controlling: sends OPEN, waits for nothing

      assertThat(path.listening()).as("port %s listens right after the session opened", path.port()).isFalse();
      path.resume.watchForNewPaths();
      Awaiting.until(TIMEOUT, "the standby listener on port " + path.port(), path::listening);
      path.resume.cancel();
      session.close();
    }
  }

  @Test
  void aCancelledSessionStartsNoListener() throws Exception {
    try (NominatedPath path = new NominatedPath()) {
      Link session = path.resume.open(path.link, false);

      path.resume.cancel(); // the connection closed between Established and watching
      path.resume.watchForNewPaths();

      assertThat(path.listening()).as("port %s listens for a closed connection", path.port()).isFalse();
      session.close();
    }
  }

  @Test
  void theControllingWinnerSendsOpenBeforeTheAttemptHearsOfItAndOnlyOnce() throws Exception {
    try (NominatedPath path = new NominatedPath()) {
      Handshaker nominates = (socket, nomination, timeoutMillis) ->
          nomination.tryWin() ? Optional.<Link>of(path.link) : Optional.empty();

      Optional<Link> won = path.resume.opening(nominates).conclude(path.nominated, new Nomination(), 1000);

      assertThat(won).containsSame(path.link);
      path.atPeer.setSoTimeout((int) TIMEOUT.toMillis()); // fails rather than hangs if OPEN was not sent
      PathBinder.BoundPath atPeerSide = new PathBinder(new SecureRandom()).open(new RawLink(path.atPeer), false);
      SessionLink session = (SessionLink) path.resume.open(path.link, false);
      assertThat(session.ticket().idHex()).isEqualTo(atPeerSide.ticket().idHex());
      assertThat(path.atPeer.getInputStream().available()).as("bytes after the one OPEN").isZero();
      path.resume.cancel();
      session.close();
    }
  }

  @Test
  void theControlledSideKeepsItsHandshakerAsItIs() {
    Handshaker nominates = (socket, nomination, timeoutMillis) -> Optional.empty();
    PathResume controlled = new PathResume("test", null, List.of(), Set.of(),
        new RelayCandidates("test", List.of(), List.of(), Duration.ZERO), nominates, false, timing(),
        Duration.ofSeconds(20), timer, (change, throughOwnRelay) -> {});

    assertThat(controlled.opening(nominates)).isSameAs(nominates);
  }

  private static PunchAttempt.Timing timing() {
    return new PunchAttempt.Timing(TIMEOUT, Duration.ofMillis(200), Duration.ofSeconds(5),
        new SynPacer(EngineMetrics.NONE), MappingOpener.OFF);
  }

  /**
   * A connection's port as its decided attempt leaves it (not listening), the controlling side's
   * {@link PathResume} on it, and a nominated loopback path (a plain TCP pair) to the peer's end.
   */
  private final class NominatedPath implements AutoCloseable {
    final SharedPort port = SharedPort.bind(PortRange.ANY);
    final ServerSocket peerEnd = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    final Socket nominated = new Socket(InetAddress.getLoopbackAddress(), peerEnd.getLocalPort());
    final Socket atPeer = peerEnd.accept();
    final RawLink link = new RawLink(nominated);
    final PathResume resume;

    NominatedPath() throws IOException {
      port.stopPunching();
      Handshaker never = (socket, nomination, timeoutMillis) -> Optional.empty();
      resume = new PathResume("test", port,
          List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), peerEnd.getLocalPort())), Set.of(),
          new RelayCandidates("test", List.of(), List.of(), Duration.ZERO), never, true, timing(),
          Duration.ofSeconds(20), timer, (change, throughOwnRelay) -> {});
    }

    int port() {
      return port.port();
    }

    boolean listening() {
      return accepts(port.port());
    }

    @Override
    public void close() throws IOException {
      atPeer.close();
      nominated.close();
      peerEnd.close();
      port.close();
    }
  }

  /** A loopback connect to {@code port}: refused while nothing listens there. */
  private static boolean accepts(int port) {
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
