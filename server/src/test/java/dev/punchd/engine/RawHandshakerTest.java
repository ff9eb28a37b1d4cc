package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.testing.Awaiting;
import dev.punchd.transport.Link;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RAW candidates: the one 4-tuple of a single peer address is kept at once; losers are reset. */
class RawHandshakerTest {
  private static final int TIMEOUT_MILLIS = 5_000;
  /** Long enough that the test acts inside the window however loaded the machine. */
  private static final long LONG_SETTLE_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Well inside the settle window: a candidate kept "at once" must not need it. */
  private static final long WAIT_SECONDS = 10;
  private static final Map<Socket, Thread> THREADS = new ConcurrentHashMap<>();

  @Test
  void withOnePeerAddressItsCandidateWinsAtOnceEvenInsideAnotherCandidatesSettleWindow() throws Exception {
    try (Candidates two = Candidates.open()) {
      // the settle-window rule alone would keep "smaller"; with "larger" the one peer address, it must lose
      assertKeptAtOnceWhileTheOtherSettles(two, List.of(two.remote(two.larger)), two.larger, two.smaller);
    }
  }

  @Test
  void theSmallestTupleOurDialsCanFormWinsAtOnceInsideAnotherCandidatesSettleWindow() throws Exception {
    try (Candidates two = Candidates.open()) {
      assertKeptAtOnceWhileTheOtherSettles(two, List.of(two.remote(two.larger), two.remote(two.smaller)),
          two.smaller, two.larger);
    }
  }

  /**
   * Starts {@code loser}'s handshake first (it opens a settle window far longer than the test's waits), then
   * {@code winner}'s, which must be kept without waiting for the window; the loser's close must be a reset.
   */
  private static void assertKeptAtOnceWhileTheOtherSettles(Candidates two, List<InetSocketAddress> peers,
      Socket winner, Socket loser) throws Exception {
    RawHandshaker handshaker = new RawHandshaker(peers, LONG_SETTLE_NANOS);
    Nomination nomination = new Nomination();
    CompletableFuture<Optional<Link>> loserResult = conclude(handshaker, loser, nomination);
    Awaiting.until(Duration.ofSeconds(5), "the first candidate waits in its settle window",
        () -> loserResult.isDone() || two.settling(loser));
    Optional<Link> kept = conclude(handshaker, winner, nomination).get(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(kept).as("the candidate kept at once").isPresent();
    assertThat(loserResult.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("the other candidate lost").isEmpty();
    loser.close();
    Socket loserRemoteEnd = two.remoteEnd(loser);
    loserRemoteEnd.setSoTimeout(TIMEOUT_MILLIS);
    assertThatThrownBy(() -> loserRemoteEnd.getInputStream().read())
        .as("a loser's close is a reset, never a FIN the peer could take for a half-close")
        .isInstanceOf(SocketException.class)
        .hasMessageContaining("reset");
    kept.get().close();
  }

  private static CompletableFuture<Optional<Link>> conclude(RawHandshaker handshaker, Socket socket,
      Nomination nomination) {
    CompletableFuture<Optional<Link>> result = new CompletableFuture<>();
    Thread thread = Thread.ofVirtual().unstarted(() -> {
      try {
        result.complete(handshaker.conclude(socket, nomination, TIMEOUT_MILLIS));
      } catch (IOException e) {
        result.completeExceptionally(e);
      }
    });
    THREADS.put(socket, thread);
    thread.start();
    return result;
  }

  /** Two accepted loopback connections, named by their endpoint pair's order, and their dialled ends. */
  private record Candidates(ServerSocket listener, Socket smaller, Socket larger, Map<Socket, Socket> remoteEnds)
      implements AutoCloseable {
    static Candidates open() throws IOException {
      ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
      Map<Socket, Socket> ends = new HashMap<>();
      for (int i = 0; i < 2; i++) {
        Socket dialled = dial(listener);
        ends.put(listener.accept(), dialled);
      }
      List<Socket> accepted = ends.keySet().stream()
          .sorted(Comparator.comparing((Socket s) -> s.getRemoteSocketAddress().toString())).toList();
      return new Candidates(listener, accepted.get(0), accepted.get(1), ends);
    }

    InetSocketAddress remote(Socket accepted) {
      return (InetSocketAddress) accepted.getRemoteSocketAddress();
    }

    Socket remoteEnd(Socket accepted) {
      return remoteEnds.get(accepted);
    }

    boolean settling(Socket candidate) {
      Thread thread = THREADS.get(candidate);
      return thread != null && thread.getState() == Thread.State.TIMED_WAITING;
    }

    @Override
    public void close() throws IOException {
      for (Map.Entry<Socket, Socket> end : remoteEnds.entrySet()) {
        end.getKey().close();
        end.getValue().close();
      }
      listener.close();
    }
  }

  private static Socket dial(ServerSocket listener) throws IOException {
    Socket socket = new Socket();
    socket.connect(listener.getLocalSocketAddress(), TIMEOUT_MILLIS);
    return socket;
  }
}
