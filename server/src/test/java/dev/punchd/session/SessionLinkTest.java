package dev.punchd.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.punchd.transport.Link;
import dev.punchd.transport.RawLink;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two sessions over loopback TCP paths (RawLink: the session layer does not care what protects a path). */
class SessionLinkTest {
  private static final int WINDOW = 256 * 1024;
  private static final int TOTAL = 8 * 1024 * 1024;
  private final PathBinder binder = new PathBinder(new SecureRandom());
  private final List<Socket> sockets = new ArrayList<>();
  private final CountDownLatch lostA = new CountDownLatch(1);
  private final CountDownLatch lostB = new CountDownLatch(1);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void closeSockets() throws IOException {
    timer.shutdownNow();
    for (Socket s : sockets) {
      s.close();
    }
  }

  @Test
  void aTransferResumesOnANewPathWithoutLosingOrRepeatingAByte() throws Exception {
    Socket[] first = socketPair();
    SessionLink[] links = open(first, Duration.ofSeconds(20));
    Transfer transfer = Transfer.start(links[0], links[1], 1);

    assertThat(transfer.quarterAtB.await(30, TimeUnit.SECONDS)).isTrue();
    first[0].setSoLinger(true, 0);
    first[0].close(); // reset mid-transfer
    assertThat(lostA.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(lostB.await(10, TimeUnit.SECONDS)).isTrue();
    moveToNewPath(links);

    transfer.assertIntact();
    assertThat(links[0].retained()).isZero();
    assertThat(links[1].retained()).isZero();
  }

  @Test
  void aTransferMovesToANewPathWhileTheOldOneStillWorks() throws Exception {
    SessionLink[] links = open(socketPair(), Duration.ofSeconds(20));
    Transfer transfer = Transfer.start(links[0], links[1], 3);

    assertThat(transfer.quarterAtB.await(30, TimeUnit.SECONDS)).isTrue();
    Socket[] second = moveToNewPath(links); // the old path keeps delivering until each side closes it on attach

    transfer.assertIntact();
    assertThat(links[0].remoteAddress().getPort()).isEqualTo(second[1].getLocalPort());
    assertThat(lostA.getCount()).as("A never lost a path").isEqualTo(1);
  }

  /** Both directions at once, {@link #TOTAL} bytes each; closes both sessions once checked. */
  private record Transfer(SessionLink a, SessionLink b, byte[] toB, byte[] toA, CountDownLatch quarterAtB,
      CompletableFuture<byte[]> receivedAtB, CompletableFuture<byte[]> receivedAtA, CompletableFuture<Void> sendA,
      CompletableFuture<Void> sendB) {
    static Transfer start(SessionLink a, SessionLink b, long seed) {
      byte[] toB = random(seed);
      byte[] toA = random(seed + 1);
      CountDownLatch quarterAtB = new CountDownLatch(1);
      return new Transfer(a, b, toB, toA, quarterAtB, receive(b, quarterAtB), receive(a, new CountDownLatch(1)),
          send(a, toB), send(b, toA));
    }

    void assertIntact() throws Exception {
      sendA.get(60, TimeUnit.SECONDS);
      sendB.get(60, TimeUnit.SECONDS);
      assertThat(sha256(receivedAtB.get(60, TimeUnit.SECONDS))).isEqualTo(sha256(toB));
      assertThat(sha256(receivedAtA.get(60, TimeUnit.SECONDS))).isEqualTo(sha256(toA));
      a.close();
      b.close();
    }
  }

  private Socket[] moveToNewPath(SessionLink[] links) throws Exception {
    Socket[] second = socketPair();
    CompletableFuture<PathBinder.BoundPath> boundB =
        CompletableFuture.supplyAsync(() -> bind(links[1], second[1], false));
    PathBinder.BoundPath boundA = bind(links[0], second[0], true);
    links[0].attach(boundA);
    links[1].attach(boundB.get(10, TimeUnit.SECONDS));
    return second;
  }

  @Test
  void fewerBytesThanAnAckAreAcknowledgedAfterTheDelayAndSoAreLaterOnes() throws Exception {
    SessionLink[] links = open(socketPair(), Duration.ofSeconds(5));
    CompletableFuture<Integer> readingA = CompletableFuture.supplyAsync(() -> { // A's reader takes B's ACKs
      try {
        return links[0].read(new byte[16]);
      } catch (IOException e) {
        return -2;
      }
    });
    byte[] got = new byte[SessionFrames.MAX_DATA];
    for (int round = 1; round <= 3; round++) { // each round arms the timer anew
      links[0].write(ByteString.copyFrom(new byte[100 * round]));
      assertThat(links[0].retained()).isPositive();
      assertThat(links[1].read(got)).isEqualTo(100 * round);
      dev.punchd.testing.Awaiting.until(Duration.ofSeconds(5), "B's delayed ACK of round " + round,
          () -> links[0].retained() == 0);
    }
    assertThat(readingA).isNotDone();
    links[0].close();
    links[1].close();
  }

  @Test
  void aReadTakesEveryDataFrameThatHasArrivedAndThenDoesNotWait() throws Exception {
    Socket[] pair = socketPair();
    SessionLink[] links = open(pair, Duration.ofSeconds(5));
    byte[] data = java.util.Arrays.copyOf(random(7), 2 * SessionFrames.MAX_DATA + 1000); // three DATA frames
    links[0].write(ByteString.copyFrom(data));
    dev.punchd.testing.Awaiting.until(Duration.ofSeconds(5), "the three frames at B",
        () -> available(pair[1]) >= data.length + 3 * SessionFrames.HEADER);

    byte[] buffer = new byte[links[1].readSize()];
    int n = links[1].read(buffer);
    assertThat(n).as("one frame per read").isEqualTo(SessionFrames.MAX_DATA);
    n += links[1].readMore(buffer, n);

    assertThat(java.util.Arrays.copyOf(buffer, n)).isEqualTo(data);
    assertThat(links[1].readMore(buffer, n)).as("nothing more has arrived").isZero();
    links[0].close();
    links[1].close();
  }

  private static int available(Socket socket) {
    try {
      return socket.getInputStream().available();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theWriterWaitsOnceTheWindowIsUnacknowledged() throws Exception {
    SessionLink a = open(socketPair(), Duration.ofSeconds(5))[0]; // B never reads, so it never acknowledges
    a.limitWindow(64 * 1024);

    CompletableFuture<Void> writing = send(a, random(5));
    dev.punchd.testing.Awaiting.until(Duration.ofSeconds(10), "the window full",
        () -> a.retained() > 64 * 1024 - SessionFrames.MAX_DATA);

    assertThat(a.retained()).isLessThanOrEqualTo(64 * 1024);
    assertThat(writing).isNotDone();
    a.close();
    assertThat(writing).failsWithin(Duration.ofSeconds(10)).withThrowableThat().withMessageContaining("session closed");
  }

  @Test
  void theChunksOfAWriteThatFitTheWindowLeaveInOneWriteToThePath() throws Exception {
    Socket[] pair = socketPair();
    List<Integer> pathWrites = new CopyOnWriteArrayList<>();
    SessionLink[] links = open(writesTo(new RawLink(pair[0]), frames -> pathWrites.add(frames.size())),
        new RawLink(pair[1]), WINDOW, Duration.ofSeconds(5), timer);
    pathWrites.clear(); // the session's opening frames
    links[0].write(ByteString.copyFrom(random(1), 0, 4 * SessionFrames.MAX_DATA + 100));

    assertThat(pathWrites).as("four full DATA frames in one write, then the rest")
        .containsExactly(4 * (SessionFrames.HEADER + SessionFrames.MAX_DATA), SessionFrames.HEADER + 100);
    links[0].close();
    links[1].close();
  }

  /**
   * With the 20 ms delayed ACK held back for the whole test, a transfer still flows on the ACKs sent at once,
   * one per quarter of a direct path's window (half of a relayed path's), not one per 64 KiB: both directions
   * arrive intact and the receiver's ACKs number at most one per quarter, plus those of the FIN and the close.
   */
  @ParameterizedTest
  @ValueSource(ints = {1024 * 1024, 128 * 1024})
  void acksLeaveAtOnceEachQuarterOfTheWindowAndKeepTheSenderGoingWithoutTheDelay(int window) throws Exception {
    ScheduledExecutorService noDelayedAcks = withoutDelayedAcks();
    try {
      Socket[] pair = socketPair();
      AtomicInteger acksFromB = new AtomicInteger();
      SessionLink[] links = open(new RawLink(pair[0]), countingAcks(new RawLink(pair[1]), acksFromB), window,
          Duration.ofSeconds(5), noDelayedAcks);

      Transfer.start(links[0], links[1], 7).assertIntact();

      assertThat(acksFromB.get()).as("B's ACKs of %d bytes, window %d", TOTAL, window)
          .isPositive().isLessThanOrEqualTo(TOTAL / SessionLink.ackEveryFor(window) + 2);
    } finally {
      noDelayedAcks.shutdownNow();
    }
  }

  @Test
  void anAckLeavesAtOnceAfterAQuarterOfADirectWindowAndHalfOfARelayedOne() {
    assertThat(SessionLink.ackEveryFor(1024 * 1024)).isEqualTo(256 * 1024);
    assertThat(SessionLink.ackEveryFor(128 * 1024)).isEqualTo(64 * 1024);
    assertThat(SessionLink.ackEveryFor(SessionFrames.MAX_DATA)).as("the smallest window, one frame")
        .isEqualTo(SessionFrames.MAX_DATA / 2);
  }

  /** A timer that holds every task a day: the 20 ms delayed ACK never comes during a test. */
  private static ScheduledExecutorService withoutDelayedAcks() {
    return new ScheduledThreadPoolExecutor(1) {
      @Override
      public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return super.schedule(task, 1, TimeUnit.DAYS);
      }
    };
  }

  /** {@code path}, counting the ACK frames written to it. */
  private static Link countingAcks(Link path, AtomicInteger acks) {
    return writesTo(path, frames -> {
      if (frames.byteAt(0) == SessionFrames.ACK) {
        acks.incrementAndGet();
      }
    });
  }

  /** {@code path}, telling {@code onWrite} of each write to it. */
  private static Link writesTo(Link path, Consumer<ByteString> onWrite) {
    return (Link) Proxy.newProxyInstance(Link.class.getClassLoader(), new Class<?>[] {Link.class},
        (proxy, method, args) -> {
          if (method.getName().equals("write")) {
            onWrite.accept((ByteString) args[0]);
          }
          try {
            return method.invoke(path, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void withoutANewPathTheStreamEndsWhenTheResumeWindowPasses() throws Exception {
    Socket[] first = socketPair();
    SessionLink[] links = open(first, Duration.ofMillis(300));
    first[0].setSoLinger(true, 0);
    first[0].close();

    assertThatThrownBy(() -> links[1].read(new byte[1024]))
        .isInstanceOf(IOException.class).hasMessageContaining("resume window of 300 ms");
    assertThat(lostB.getCount()).isZero();
  }

  @Test
  void aPathNamingAnotherSessionIsRefused() throws Exception {
    SessionLink a = open(socketPair(), Duration.ofSeconds(5))[0];
    SessionLink other = open(socketPair(), Duration.ofSeconds(5))[1];
    Socket[] path = socketPair();
    CompletableFuture<PathBinder.BoundPath> otherSide = CompletableFuture.supplyAsync(() -> bind(other, path[1], false));

    assertThatThrownBy(() -> bind(a, path[0], true)).hasCauseInstanceOf(AttachRefusedException.class)
        .hasMessageContaining("names session " + other.ticket().idHex());
    assertThatThrownBy(() -> otherSide.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasMessageContaining("belongs to session " + other.ticket().idHex());
  }

  private SessionLink[] open(Socket[] pair, Duration resumeWindow) throws Exception {
    return open(new RawLink(pair[0]), new RawLink(pair[1]), WINDOW, resumeWindow, timer);
  }

  private SessionLink[] open(Link linkA, Link linkB, int window, Duration resumeWindow,
      ScheduledExecutorService timer) throws Exception {
    CompletableFuture<PathBinder.BoundPath> openedB = CompletableFuture.supplyAsync(() -> {
      try {
        return binder.open(linkB, false);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    PathBinder.BoundPath openedA = binder.open(linkA, true);
    SessionLink a = new SessionLink(openedA, window, resumeWindow, cause -> lostA.countDown(), timer);
    SessionLink b = new SessionLink(openedB.get(10, TimeUnit.SECONDS), window, resumeWindow, cause -> lostB.countDown(),
        timer);
    assertThat(a.ticket().idHex()).isEqualTo(b.ticket().idHex());
    return new SessionLink[] {a, b};
  }

  private PathBinder.BoundPath bind(SessionLink session, Socket socket, boolean controlling) {
    try {
      return binder.attach(new RawLink(socket), session.ticket(), controlling, session.nextGeneration(),
          session.received());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<Void> send(SessionLink link, byte[] data) {
    return CompletableFuture.runAsync(() -> {
      try {
        for (int at = 0; at < data.length; at += 64 * 1024) {
          link.write(ByteString.copyFrom(data, at, Math.min(64 * 1024, data.length - at)));
        }
        link.finishOutput();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, runnable -> Thread.ofVirtual().start(runnable));
  }

  /** Completes with the bytes at the peer's FIN, then keeps reading the peer's ACKs, as LinkPump does. */
  private static CompletableFuture<byte[]> receive(SessionLink link, CountDownLatch quarter) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      byte[] got = new byte[TOTAL];
      int at = 0;
      byte[] buffer = new byte[link.readSize()];
      try {
        int n;
        while ((n = link.read(buffer)) >= 0) {
          int more;
          while (n < buffer.length && (more = link.readMore(buffer, n)) > 0) { // as the pump reads
            n += more;
          }
          if (at + n > TOTAL) {
            throw new IOException("more than " + TOTAL + " bytes arrived");
          }
          System.arraycopy(buffer, 0, got, at, n);
          at += n;
          if (at >= TOTAL / 4) {
            quarter.countDown();
          }
        }
        result.complete(java.util.Arrays.copyOf(got, at));
        link.awaitPeerClose();
      } catch (IOException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  private Socket[] socketPair() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
      Socket accepted = server.accept();
      sockets.add(client);
      sockets.add(accepted);
      return new Socket[] {client, accepted};
    }
  }

  private static byte[] random(long seed) {
    byte[] data = new byte[TOTAL];
    new Random(seed).nextBytes(data);
    return data;
  }

  private static String sha256(byte[] data) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
