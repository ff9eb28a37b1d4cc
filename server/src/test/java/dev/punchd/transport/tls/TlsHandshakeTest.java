package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.HANDSHAKE_TIMEOUT;
import static dev.punchd.transport.tls.BothSides.await;
import static dev.punchd.transport.tls.BothSides.failureOf;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsHandshakeTest extends TwoSidedTest {
  @Test
  void authenticatesBothSidesWithTls13AndCarriesDataBothWaysAtOnce() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> dialer = sides.secure(ids.lower(), pair.dialer(), ids.higher());
      Future<TlsSocket> acceptor = sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      TlsSocket client = await(dialer);
      TlsSocket server = await(acceptor);

      assertThat(client.session().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(client.isClient()).isTrue();
      assertThat(server.isClient()).isFalse();
      assertThat(peerFingerprint(client)).isEqualTo(ids.higher().fingerprint());
      assertThat(peerFingerprint(server)).isEqualTo(ids.lower().fingerprint());
      assertThat(client.getSoTimeout()).isZero();
      assertThat(server.getSoTimeout()).isZero();

      byte[] toServer = randomBytes(1 << 20, 1);
      byte[] toClient = randomBytes(1 << 20, 2);
      Future<byte[]> serverReceived = sides.run(() -> readExactly(server, toServer.length));
      Future<byte[]> clientReceived = sides.run(() -> readExactly(client, toClient.length));
      sides.run(() -> write(client, toServer));
      sides.run(() -> write(server, toClient));
      assertThat(await(serverReceived)).isEqualTo(toServer);
      assertThat(await(clientReceived)).isEqualTo(toClient);
    }
  }

  @ParameterizedTest(name = "lower fingerprint dials: {0}, lower fingerprint starts first: {1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  void lowerFingerprintIsTheTlsClientWhicheverSideStartsFirst(
      boolean lowerDials, boolean lowerStartsFirst) throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Socket lowerSocket = lowerDials ? pair.dialer() : pair.acceptor();
      Socket higherSocket = lowerDials ? pair.acceptor() : pair.dialer();
      Future<TlsSocket> lower;
      Future<TlsSocket> higher;
      if (lowerStartsFirst) {
        lower = sides.secure(ids.lower(), lowerSocket, ids.higher());
        InputStream higherIn = higherSocket.getInputStream();
        awaitCondition(() -> available(higherIn) > 0, "the ClientHello reached the higher side");
        higher = sides.secure(ids.higher(), higherSocket, ids.lower());
      } else {
        AtomicReference<Thread> higherThread = new AtomicReference<>();
        higher =
            sides.run(
                () -> {
                  higherThread.set(Thread.currentThread());
                  return new TlsHandshake(ids.higher())
                      .secure(higherSocket, ids.lower().fingerprint(), HANDSHAKE_TIMEOUT);
                });
        awaitCondition(
            () -> higherThread.get() != null && isParked(higherThread.get()),
            "the higher side waits for a ClientHello");
        lower = sides.secure(ids.lower(), lowerSocket, ids.higher());
      }

      assertThat(await(lower).isClient()).isTrue();
      assertThat(await(higher).isClient()).isFalse();
      write(await(lower), new byte[] {7});
      assertThat(readExactly(await(higher), 1)).containsExactly(7);
    }
  }

  @Test
  void theTlsClientSendsItsClientHelloRightBehindItsHelloWithoutWaitingForThePeers() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> client = sides.secure(ids.lower(), pair.dialer(), ids.higher());
      Socket silentPeer = pair.acceptor();
      silentPeer.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
      DataInputStream in = new DataInputStream(silentPeer.getInputStream());
      byte[] flight = new byte[FingerprintHello.LENGTH + 3];
      in.readFully(flight);

      assertThat(new String(flight, 0, 4, US_ASCII)).isEqualTo("PNCH");
      assertThat(flight[FingerprintHello.LENGTH]).as("TLS record type: handshake").isEqualTo((byte) 22);
      assertThat(flight[FingerprintHello.LENGTH + 1]).as("TLS record version major").isEqualTo((byte) 3);
      assertThat(client).isNotDone();
      silentPeer.close();
      assertThatThrownBy(() -> await(client)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aGateBeforeTheClientHelloHoldsTlsButNeverTheHelloAndMayAbandonTheHandshake() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
      Future<TlsSocket> client = sides.run(() -> new TlsHandshake(ids.lower()).secure(pair.dialer(),
          ids.higher().fingerprint(), HANDSHAKE_TIMEOUT, () -> {
            try {
              open.await();
            } catch (InterruptedException e) {
              throw new java.io.InterruptedIOException();
            }
            throw new IOException("abandoned by the gate");
          }));
      Socket peer = pair.acceptor();
      peer.setSoTimeout((int) HANDSHAKE_TIMEOUT.toMillis());
      byte[] hello = new byte[FingerprintHello.LENGTH];
      new DataInputStream(peer.getInputStream()).readFully(hello);
      assertThat(new String(hello, 0, 4, US_ASCII)).as("the hello, sent before the gate").isEqualTo("PNCH");
      assertThat(client).isNotDone();
      open.countDown();

      assertThatThrownBy(() -> await(client)).hasMessage("abandoned by the gate");
      assertThat(peer.getInputStream().read()).as("no ClientHello after an abandoning gate").isEqualTo(-1);
    }
  }

  @Test
  void theTlsClientChecksThePeersHelloInFrontOfItsTlsRecords() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Identity stranger = Identity.generate();
      Future<TlsSocket> client = sides.secure(ids.lower(), pair.dialer(), ids.higher());
      Socket peer = pair.acceptor();
      FingerprintHello.send(peer, stranger.fingerprint(), ids.lower().fingerprint());

      assertThatThrownBy(() -> await(client))
          .satisfies(e -> assertThat(TlsFailure.classify(ioCause(e)).kind())
              .isEqualTo(TlsFailure.Kind.FINGERPRINT_MISMATCH));
    }
  }

  @Test
  void acceptsThePeerFingerprintInUppercase() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      String upper = ids.higher().fingerprint().toUpperCase(Locale.ROOT);
      Future<TlsSocket> client =
          sides.run(
              () -> new TlsHandshake(ids.lower()).secure(pair.dialer(), upper, HANDSHAKE_TIMEOUT));
      Future<TlsSocket> server = sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      assertThat(peerFingerprint(await(client))).isEqualTo(ids.higher().fingerprint());
      assertThat(await(server).session().getProtocol()).isEqualTo("TLSv1.3");
    }
  }

  @Test
  void rejectsBadArgumentsNamingThem() throws IOException {
    TlsHandshake handshake = new TlsHandshake(ids.lower());
    String own = ids.lower().fingerprint();
    try (SocketPair pair = SocketPair.open()) {
      assertThatThrownBy(() -> handshake.secure(pair.dialer(), own, HANDSHAKE_TIMEOUT))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(own);
      assertThatThrownBy(() -> handshake.secure(pair.dialer(), "abc123", HANDSHAKE_TIMEOUT))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'abc123'");
      String peer = ids.higher().fingerprint();
      assertThatThrownBy(() -> handshake.secure(pair.dialer(), peer, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("PT0S");
      assertThat(pair.dialer().isClosed()).isFalse();
    }
  }

  @Test
  void closeSendsCloseNotifyAfterTheDataAndEndsThePeersOutputToo() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      BothSides.Secured secured = sides.secure(ids, pair);
      TlsSocket closing = secured.client();
      TlsSocket peer = secured.server();

      write(closing, "last words".getBytes(US_ASCII));
      closing.close();
      InputStream peerIn = peer.getInputStream();
      assertThat(new String(peerIn.readAllBytes(), US_ASCII)).isEqualTo("last words");
      assertThat(peerIn.read()).as("still ended").isEqualTo(-1);
      assertThatThrownBy(() -> write(peer, new byte[] {1})).isInstanceOf(SocketException.class);
      assertThatThrownBy(closing::shutdownOutput)
          .as("no TLS half-close")
          .isInstanceOf(SocketException.class);
    }
  }

  @Test
  void closeWithLingerZeroSendsNoCloseNotifySoThePeerSeesTruncation() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      BothSides.Secured secured = sides.secure(ids, pair);
      TlsSocket closing = secured.client();
      TlsSocket peer = secured.server();

      closing.setSoLinger(true, 0);
      closing.close();
      assertThatThrownBy(() -> peer.getInputStream().read()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void closeIsNotHeldUpByAWriterBlockedOnAPeerThatDoesNotRead() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      TlsSocket writer = sides.secure(ids, pair).client(); // the server never reads
      AtomicReference<Thread> writing = new AtomicReference<>();
      Future<Void> blocked = sides.run(() -> {
        writing.set(Thread.currentThread());
        byte[] chunk = new byte[64 * 1024];
        while (true) {
          writer.getOutputStream().write(chunk);
        }
      });
      awaitCondition(() -> writing.get() != null && isParked(writing.get()), "the writer blocks");
      writer.setSoLinger(true, 1);
      writer.close();
      assertThat(failureOf(blocked)).isInstanceOf(SocketException.class);
    }
  }

  private static IOException ioCause(Throwable thrown) {
    for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException io) {
        return io;
      }
    }
    throw new AssertionError("no IOException in " + thrown, thrown);
  }

  static String peerFingerprint(TlsSocket socket) throws Exception {
    return Fingerprints.of((X509Certificate) socket.session().getPeerCertificates()[0]);
  }

  static byte[] readExactly(Socket socket, int length) throws IOException {
    byte[] received = new byte[length];
    new DataInputStream(socket.getInputStream()).readFully(received);
    return received;
  }

  static Void write(Socket socket, byte[] data) throws IOException {
    socket.getOutputStream().write(data);
    socket.getOutputStream().flush();
    return null;
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static boolean isParked(Thread thread) {
    return thread.getState() == Thread.State.WAITING
        || thread.getState() == Thread.State.TIMED_WAITING;
  }

  private static int available(InputStream in) {
    try {
      return in.available();
    } catch (IOException e) {
      throw new AssertionError("cannot poll the socket", e);
    }
  }

  private static void awaitCondition(BooleanSupplier condition, String description)
      throws InterruptedException {
    long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + description);
      }
      Thread.onSpinWait();
      Thread.yield();
    }
  }
}
