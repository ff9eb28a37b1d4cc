package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.HANDSHAKE_TIMEOUT;
import static dev.punchd.transport.tls.BothSides.await;
import static dev.punchd.transport.tls.BothSides.failureOf;
import static dev.punchd.transport.tls.TlsHandshakeTest.readExactly;
import static dev.punchd.transport.tls.TlsHandshakeTest.write;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.transport.tls.TlsFailure.Kind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Future;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TlsFailureTest extends TwoSidedTest {
  private static final byte CLOSE_NOTIFY = 0;
  private static final byte USER_CANCELED = 90;
  private static final byte[] SECRET = "application data".getBytes(US_ASCII);

  @Test
  void plainBytesInsteadOfAServerHelloFailAsProtocolError() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> tlsClient = sides.secure(ids.lower(), pair.acceptor(), ids.higher());
      Socket plainPeer = pair.dialer();
      helloAs(ids.higher(), plainPeer, ids.lower());
      assertThat(plainPeer.getInputStream().read()).as("ClientHello record type").isEqualTo(22);
      write(plainPeer, "SSH-2.0-OpenSSH_9.6\r\n".getBytes(US_ASCII));

      assertThat(TlsFailure.classify(failureOf(tlsClient)).kind())
          .isIn(Kind.PROTOCOL, Kind.PEER_CLOSED);
      assertThat(pair.acceptor().isClosed()).isTrue();
    }
  }

  @Test
  void plainBytesInsteadOfAClientHelloFailAsProtocolError() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> tlsServer = sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      helloAs(ids.lower(), pair.dialer(), ids.higher());
      write(pair.dialer(), "GET / HTTP/1.1\r\nHost: punchd\r\n\r\n".getBytes(US_ASCII));

      TlsFailure failure = TlsFailure.classify(failureOf(tlsServer));
      assertThat(failure.kind()).isIn(Kind.PROTOCOL, Kind.PEER_CLOSED);
      assertThat(failure.message()).contains("not TLS");
    }
  }

  @Test
  void plainBytesInsteadOfAHelloFailAsProtocolError() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> ours = sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      write(pair.dialer(), "GET / HTTP/1.1\r\nHost: punchd\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
          .getBytes(US_ASCII));

      TlsFailure failure = TlsFailure.classify(failureOf(ours));
      assertThat(failure.kind()).isEqualTo(Kind.PROTOCOL);
      assertThat(failure.message()).contains("not speaking punchd");
      assertThat(pair.acceptor().isClosed()).isTrue();
    }
  }

  @Test
  void aSilentPeerTimesOutAndTheSocketIsClosed() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> tlsServer =
          sides.run(
              () ->
                  new TlsHandshake(ids.higher())
                      .secure(pair.acceptor(), ids.lower().fingerprint(), Duration.ofMillis(200)));

      assertThat(TlsFailure.classify(failureOf(tlsServer)).kind()).isEqualTo(Kind.TIMEOUT);
      assertThat(pair.acceptor().isClosed()).isTrue();
    }
  }

  @ParameterizedTest(name = "we are the TLS client: {0}")
  @ValueSource(booleans = {true, false})
  void aPeerThatHangsUpFailsAsPeerClosed(boolean weAreClient) throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      pair.dialer().close();
      Future<TlsSocket> ours =
          weAreClient
              ? sides.secure(ids.lower(), pair.acceptor(), ids.higher())
              : sides.secure(ids.higher(), pair.acceptor(), ids.lower());

      assertThat(TlsFailure.classify(failureOf(ours)).kind()).isEqualTo(Kind.PEER_CLOSED);
    }
  }

  @ParameterizedTest(name = "we are the TLS client: {0}, peer sends user_canceled first: {1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  void aPeerThatCancelsTheHandshakeWithAlertsFailsAsPeerClosed(
      boolean weAreClient, boolean userCanceledFirst) throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> ours =
          weAreClient
              ? sides.secure(ids.lower(), pair.acceptor(), ids.higher())
              : sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      helloAs(weAreClient ? ids.higher() : ids.lower(), pair.dialer(), weAreClient ? ids.lower() : ids.higher());
      if (weAreClient) {
        assertThat(pair.dialer().getInputStream().read()).as("ClientHello").isEqualTo(22);
      }
      if (userCanceledFirst) {
        write(pair.dialer(), plaintextWarningAlert(USER_CANCELED));
      }
      write(pair.dialer(), plaintextWarningAlert(CLOSE_NOTIFY));

      assertThat(TlsFailure.classify(failureOf(ours)).kind()).isEqualTo(Kind.PEER_CLOSED);
    }
  }

  @Test
  void aTls12OnlyPeerIsRefusedWithoutFallback() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      Future<TlsSocket> ours = sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      Future<Void> legacyPeer =
          sides.run(
              () -> {
                helloAs(ids.lower(), pair.dialer(), ids.higher());
                javax.net.ssl.SSLSocket legacy =
                    (javax.net.ssl.SSLSocket)
                        SSLContext.getDefault()
                            .getSocketFactory()
                            .createSocket(pair.dialer(), null, pair.dialer().getPort(), true);
                legacy.setEnabledProtocols(new String[] {"TLSv1.2"});
                legacy.startHandshake();
                return null;
              });

      TlsFailure failure = TlsFailure.classify(failureOf(ours));
      assertThat(failure.kind()).isEqualTo(Kind.PROTOCOL);
      assertThat(failure.message()).contains("protocol_version");
      assertThat(TlsFailure.classify(failureOf(legacyPeer)))
          .isEqualTo(new TlsFailure(Kind.PROTOCOL, "peer sent TLS alert protocol_version"));
    }
  }

  @Test
  void aFlippedByteInFlightIsDetectedAndNothingCorruptIsDelivered() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        TamperingRelay relay = TamperingRelay.start(listener.getLocalSocketAddress());
        SocketPair pair = SocketPair.open(listener, relay.address())) {
      Future<TlsSocket> dialer = sides.secure(ids.lower(), pair.dialer(), ids.higher());
      Future<TlsSocket> acceptor = sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      TlsSocket sender = await(dialer);
      TlsSocket receiver = await(acceptor);
      write(sender, SECRET);
      assertThat(readExactly(receiver, SECRET.length)).as("relayed untouched").isEqualTo(SECRET);

      relay.flipOneByteOfNextRecordFromDialer();
      write(sender, SECRET);
      byte[] buffer = new byte[SECRET.length];
      Future<Integer> received = sides.run(() -> receiver.getInputStream().read(buffer));

      assertThat(failureOf(received))
          .isInstanceOf(SSLException.class)
          .hasMessageContaining("bad_record_mac");
      assertThat(buffer).containsOnly(0);
    }
  }

  /** A SocketChannel's socket (the ones SharedPort makes) reports a broken connection as a plain IOException. */
  @ParameterizedTest
  @ValueSource(strings = {"Broken pipe", "Connection reset by peer"})
  void aChannelSocketsBrokenConnectionIsThePeerClosing(String systemError) {
    assertThat(TlsFailure.classify(new IOException(systemError)).kind()).isEqualTo(Kind.PEER_CLOSED);
  }

  @Test
  void otherIoFailuresAreProtocolErrorsThatKeepTheirMessage() {
    assertThat(TlsFailure.classify(new IOException("No route to host")))
        .isEqualTo(new TlsFailure(Kind.PROTOCOL, "TLS handshake failed: No route to host"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN, REJECTED_BY_PEER, peer rejected our certificate",
    "error:1000042a:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE, REJECTED_BY_PEER, peer rejected our certificate",
    "error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA, REJECTED_BY_PEER, peer rejected our certificate",
    "error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE, PROTOCOL, peer sent TLS alert handshake_failure",
    "error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL, PROTOCOL, protocol_version",
    "not an SSL/TLS record: 474554202f20485454502f312e310d0a, PROTOCOL, peer sent bytes that are not TLS"
  })
  void boringSslsReasonsAreClassifiedAsTheJdksAlertsAre(String message, Kind kind, String explained) {
    TlsFailure failure = TlsFailure.classify(new SSLException(message));
    assertThat(failure.kind()).isEqualTo(kind);
    assertThat(failure.message()).contains(explained);
  }

  /** A TLS alert record before any keys exist: type 21, TLS 1.2 record version, level warning. */
  private static byte[] plaintextWarningAlert(byte description) {
    return new byte[] {21, 3, 3, 0, 2, 1, description};
  }

  /** Plays the peer's part of the punchd hello, as {@code peer} expecting {@code us}. */
  private static void helloAs(Identity peer, Socket socket, Identity us) throws IOException {
    FingerprintHello.exchange(socket, peer.fingerprint(), us.fingerprint(), BothSides.HANDSHAKE_TIMEOUT);
  }
}
