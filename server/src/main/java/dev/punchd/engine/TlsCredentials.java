package dev.punchd.engine;

import dev.punchd.transport.Link;
import dev.punchd.transport.SecureLink;
import dev.punchd.transport.tls.Identity;
import dev.punchd.transport.tls.TlsFailure;
import dev.punchd.transport.tls.TlsHandshake;
import dev.punchd.v1.FailureReason;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocket;

/**
 * SECURE mode (DESIGN section 4): TLS 1.3 with mutual authentication pinned to fingerprints, then the
 * controlling side nominates one connection inside TLS. The controlling side is the TLS client (the lower
 * fingerprint): in TLS 1.3 the client finishes first, so its NOMINATE leaves with its Finished and the
 * server has both after one round trip of TLS, half a round trip sooner than if the server nominated.
 * The client's certificate is checked by the server only on that Finished; the hello has already shown
 * that both sides expect each other, so a rejection then means someone replayed a hello, and the
 * nominated link fails on its first read or write. Immutable.
 */
public final class TlsCredentials implements Credentials {
  private final Identity identity;
  private final TlsHandshake tls;

  private TlsCredentials(Identity identity) {
    this.identity = identity;
    this.tls = new TlsHandshake(identity);
  }

  /** A fresh key pair and certificate for every connection. */
  public static Supplier<Credentials> ephemeral() {
    return () -> new TlsCredentials(Identity.generate());
  }

  /** One identity for every connection (a stable fingerprint, e.g. from {@code --identity-key}). */
  public static Supplier<Credentials> persistent(Identity identity) {
    TlsCredentials shared = new TlsCredentials(identity);
    return () -> shared;
  }

  @Override
  public String fingerprint() {
    return identity.fingerprint();
  }

  @Override
  public Handshaker handshaker(String peerFingerprint, boolean sessions) {
    boolean controlling = identity.fingerprint().compareTo(peerFingerprint) < 0;
    int version = sessions ? SecureLink.PROTOCOL_VERSION_SESSIONS : SecureLink.PROTOCOL_VERSION;
    return (socket, nomination, timeoutMillis) -> {
      SecureLink link = authenticate(socket, peerFingerprint, timeoutMillis);
      try {
        if (controlling) {
          if (!nomination.tryWin()) {
            link.close();
            return Optional.<Link>empty();
          }
          link.sendNomination(version);
          return Optional.<Link>of(link);
        }
        if (link.awaitNomination(timeoutMillis, version) && nomination.tryWin()) {
          return Optional.<Link>of(link);
        }
        link.close();
        return Optional.<Link>empty();
      } catch (IOException e) {
        // TLS 1.3 lets the client finish before the server has checked its certificate: a rejection by
        // the peer shows up here, on the first read.
        link.close();
        throw failure(e);
      }
    };
  }

  private SecureLink authenticate(Socket socket, String peerFingerprint, int timeoutMillis)
      throws Handshaker.HandshakeException {
    try {
      SSLSocket secured = tls.secure(socket, peerFingerprint, Duration.ofMillis(timeoutMillis));
      return new SecureLink(secured);
    } catch (IOException e) {
      throw failure(e);
    }
  }

  private static Handshaker.HandshakeException failure(IOException e) {
    TlsFailure failure = TlsFailure.classify(e);
    FailureReason reason = switch (failure.kind()) {
      case FINGERPRINT_MISMATCH, REJECTED_BY_PEER -> FailureReason.FINGERPRINT_MISMATCH;
      default -> FailureReason.HANDSHAKE_FAILED;
    };
    return new Handshaker.HandshakeException(reason, failure.message());
  }
}
