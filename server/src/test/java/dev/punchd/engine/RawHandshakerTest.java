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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RAW candidates: the one 4-tuple of a single peer address is kept at once; losers are reset. */
class RawHandshakerTest {
  private static final int TIMEOUT_MILLIS = 5_000;
  /** Long enough that the test acts inside the window however loaded the machine. */
  private static final long LONG_SETTLE_NANOS = TimeUnit.SECONDS.toNanos(30);

  @Test
  void withOnePeerAddressItsCandidateWinsAtOnceEvenInsideAnotherCandidatesSettleWindow() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        Socket dialA = dial(listener);
        Socket acceptedA = listener.accept();
        Socket dialB = dial(listener);
        Socket acceptedB = listener.accept()) {
      // "other" is the candidate with the smaller endpoint pair: the settle-window rule alone would keep it
      List<Socket> accepted = List.of(acceptedA, acceptedB).stream()
          .sorted(Comparator.comparing((Socket s) -> s.getRemoteSocketAddress().toString())).toList();
      Socket other = accepted.get(0);
      Socket fromPeerAddress = accepted.get(1);
      Socket otherRemoteEnd = other == acceptedA ? dialA : dialB;
      RawHandshaker handshaker = new RawHandshaker(
          List.of((InetSocketAddress) fromPeerAddress.getRemoteSocketAddress()), LONG_SETTLE_NANOS);
      Nomination nomination = new Nomination();

      CompletableFuture<Optional<Link>> otherResult = new CompletableFuture<>();
      Thread settling = Thread.ofVirtual().start(() -> {
        try {
          otherResult.complete(handshaker.conclude(other, nomination, TIMEOUT_MILLIS));
        } catch (IOException e) {
          otherResult.completeExceptionally(e);
        }
      });
      Awaiting.until(Duration.ofSeconds(5), "the other candidate waits in its settle window",
          () -> settling.getState() == Thread.State.TIMED_WAITING);
      Optional<Link> kept = handshaker.conclude(fromPeerAddress, nomination, TIMEOUT_MILLIS);

      assertThat(kept).as("the candidate from the one peer address").isPresent();
      assertThat(otherResult.get(5, TimeUnit.SECONDS)).as("the other candidate lost").isEmpty();
      other.close();
      otherRemoteEnd.setSoTimeout(TIMEOUT_MILLIS);
      assertThatThrownBy(() -> otherRemoteEnd.getInputStream().read())
          .as("a loser's close is a reset, never a FIN the peer could take for a half-close")
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
      kept.get().close();
    }
  }

  private static Socket dial(ServerSocket listener) throws IOException {
    Socket socket = new Socket();
    socket.connect(listener.getLocalSocketAddress(), TIMEOUT_MILLIS);
    return socket;
  }
}
