package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.HANDSHAKE_TIMEOUT;
import static dev.punchd.transport.tls.BothSides.await;
import static dev.punchd.transport.tls.TlsHandshakeTest.write;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.transport.tls.TlsFailure.Kind;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Future;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One side is given a stranger's fingerprint for its peer. Roles follow the fingerprints each side
 * was given, so depending on how the stranger's fingerprint sorts the misinformed side keeps its
 * TLS role (a clean mismatch) or flips it (both clients, or both servers).
 */
class FingerprintMismatchTest {
  private static final byte[] SECRET = "application data".getBytes(US_ASCII);
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(300);

  private final IdentityPair ids = IdentityPair.generate();
  private final BothSides sides = new BothSides();

  @AfterEach
  void stopSides() throws InterruptedException {
    sides.close();
  }

  /** Where one side failed ("handshake" or "first read") and why. */
  private record Outcome(String stage, IOException failure) {
    TlsFailure classified() {
      return TlsFailure.classify(failure);
    }
  }

  @ParameterizedTest(name = "the {0} expects a stranger's fingerprint")
  @ValueSource(strings = {"client", "server"})
  void bothSidesFailWithoutExchangingDataWhenRolesStay(String misinformed) throws Exception {
    boolean clientMisinformed = misinformed.equals("client");
    Identity stranger =
        clientMisinformed
            ? strangerSorting(ids.lower(), true)
            : strangerSorting(ids.higher(), false);
    try (SocketPair pair = SocketPair.open()) {
      Future<Outcome> client =
          sendAndReceive(ids.lower(), pair.dialer(), clientMisinformed ? stranger : ids.higher());
      Future<Outcome> server =
          sendAndReceive(ids.higher(), pair.acceptor(), clientMisinformed ? ids.lower() : stranger);
      Outcome rejecting = await(clientMisinformed ? client : server);
      Outcome rejected = await(clientMisinformed ? server : client);
      Identity presented = clientMisinformed ? ids.higher() : ids.lower();

      assertThat(rejecting.stage()).isEqualTo("handshake");
      assertThat(rejecting.classified())
          .isEqualTo(
              new TlsFailure(
                  Kind.FINGERPRINT_MISMATCH,
                  "peer presented fingerprint "
                      + presented.fingerprint().substring(0, 16)
                      + "..., expected "
                      + stranger.fingerprint().substring(0, 16)
                      + "..."));
      assertThat(rejected.classified())
          .isEqualTo(
              new TlsFailure(
                  Kind.REJECTED_BY_PEER,
                  "peer rejected our certificate (it expects a different fingerprint)"));
      // TLS 1.3: the client finishes before the server has checked the client's certificate.
      assertThat(rejected.stage()).isEqualTo(clientMisinformed ? "handshake" : "first read");
    }
  }

  @Test
  void aFlippedRoleMakesBothSidesTlsClientsThatFailAsProtocolErrors() throws Exception {
    Identity stranger = strangerSorting(ids.higher(), true);
    try (SocketPair pair = SocketPair.open()) {
      Future<Outcome> lower = sendAndReceive(ids.lower(), pair.dialer(), ids.higher());
      Future<Outcome> higher = sendAndReceive(ids.higher(), pair.acceptor(), stranger);

      TlsFailure roleConflict =
          new TlsFailure(
              Kind.PROTOCOL,
              "peer also acted as TLS client: one side was given a wrong fingerprint");
      assertThat(await(lower).classified()).isEqualTo(roleConflict);
      assertThat(await(higher).classified()).isEqualTo(roleConflict);
    }
  }

  @Test
  void aFlippedRoleMakesBothSidesTlsServersUntilOneTimesOut() throws Exception {
    Identity stranger = strangerSorting(ids.lower(), false);
    try (SocketPair pair = SocketPair.open()) {
      Future<SSLSocket> lower =
          sides.run(
              () ->
                  new TlsHandshake(ids.lower())
                      .secure(pair.dialer(), stranger.fingerprint(), SHORT_TIMEOUT));
      Future<Outcome> higher = sendAndReceive(ids.higher(), pair.acceptor(), ids.lower());

      assertThat(TlsFailure.classify(BothSides.failureOf(lower)).kind()).isEqualTo(Kind.TIMEOUT);
      Outcome waitedInVain = await(higher);
      assertThat(waitedInVain.stage()).isEqualTo("handshake");
      assertThat(waitedInVain.classified().kind()).isEqualTo(Kind.PEER_CLOSED);
    }
  }

  /** Secures, sends a secret and reads; fails the test if any application byte is read. */
  private Future<Outcome> sendAndReceive(Identity local, Socket socket, Identity expectedPeer) {
    return sides.run(
        () -> {
          SSLSocket tls;
          try {
            tls =
                new TlsHandshake(local)
                    .secure(socket, expectedPeer.fingerprint(), HANDSHAKE_TIMEOUT);
          } catch (IOException e) {
            return new Outcome("handshake", e);
          }
          try {
            write(tls, SECRET);
            int firstByte = tls.getInputStream().read();
            throw new AssertionError("read from an unauthenticated peer: " + firstByte);
          } catch (IOException e) {
            return new Outcome("first read", e);
          }
        });
  }

  /** A fresh identity whose fingerprint sorts above (or below) {@code reference}'s. */
  private static Identity strangerSorting(Identity reference, boolean above) {
    while (true) {
      Identity stranger = Identity.generate();
      if (stranger.fingerprint().compareTo(reference.fingerprint()) > 0 == above) {
        return stranger;
      }
    }
  }
}
