package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.HANDSHAKE_TIMEOUT;
import static dev.punchd.transport.tls.BothSides.await;
import static dev.punchd.transport.tls.TlsHandshakeTest.write;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.transport.tls.TlsFailure.Kind;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One side is given a stranger's fingerprint for its peer. Whichever way the stranger's fingerprint
 * sorts (so whatever TLS role the misinformed side would pick), the hello exchanged before TLS makes
 * both sides fail at once, each saying which side holds the wrong fingerprint, and no byte of
 * application data is exchanged.
 */
class FingerprintMismatchTest extends TwoSidedTest {
  private static final byte[] SECRET = "application data".getBytes(US_ASCII);

  /** Where one side failed ("handshake" or "first read") and why. */
  private record Outcome(String stage, IOException failure) {
    TlsFailure classified() {
      return TlsFailure.classify(failure);
    }
  }

  @ParameterizedTest(name = "the lower side is misinformed: {0}, the stranger sorts above its peer: {1}")
  @CsvSource({"true, true", "true, false", "false, true", "false, false"})
  void bothSidesReportTheMismatchWithoutExchangingData(boolean lowerMisinformed, boolean strangerAbove)
      throws Exception {
    Identity misinformed = lowerMisinformed ? ids.lower() : ids.higher();
    Identity informed = lowerMisinformed ? ids.higher() : ids.lower();
    Identity stranger = strangerSorting(informed, strangerAbove);
    try (SocketPair pair = SocketPair.open()) {
      Future<Outcome> wrong = sendAndReceive(misinformed, pair.dialer(), stranger);
      Future<Outcome> right = sendAndReceive(informed, pair.acceptor(), misinformed);
      Outcome rejecting = await(wrong);
      Outcome rejected = await(right);

      assertThat(rejecting.stage()).isEqualTo("handshake");
      assertThat(rejecting.classified()).isEqualTo(new TlsFailure(Kind.FINGERPRINT_MISMATCH,
          "peer's fingerprint is not " + prefix(stranger) + "..., the one this side was given"));
      assertThat(rejected.stage()).isEqualTo("handshake");
      assertThat(rejected.classified()).isEqualTo(new TlsFailure(Kind.REJECTED_BY_PEER,
          "peer rejected our certificate: it expects another fingerprint for us, ours is " + prefix(informed)
              + "... (the peer was given a wrong peer fingerprint)"));
    }
  }

  private static String prefix(Identity identity) {
    return identity.fingerprint().substring(0, 16);
  }

  /** Secures, sends a secret and reads; fails the test if any application byte is read. */
  private Future<Outcome> sendAndReceive(Identity local, Socket socket, Identity expectedPeer) {
    return sides.run(
        () -> {
          TlsSocket tls;
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
