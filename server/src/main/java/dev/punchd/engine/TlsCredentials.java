package dev.punchd.engine;

import dev.punchd.transport.Link;
import dev.punchd.transport.PeerCloseReason;
import dev.punchd.transport.ProtocolVersionException;
import dev.punchd.transport.SecureLink;
import dev.punchd.transport.tls.Identity;
import dev.punchd.transport.tls.TlsFailure;
import dev.punchd.transport.tls.TlsHandshake;
import dev.punchd.v1.FailureReason;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * SECURE mode (DESIGN section 4): TLS 1.3 with mutual authentication pinned to fingerprints, then the
 * controlling side nominates one connection inside TLS. The controlling side is the TLS client (the lower
 * fingerprint): in TLS 1.3 the client finishes first, so its NOMINATE leaves with its Finished and the
 * server has both after one round trip of TLS, half a round trip sooner than if the server nominated.
 * The client's certificate is checked by the server only on that Finished; the hello has already shown
 * that both sides expect each other, so a rejection then means someone replayed a hello, and the
 * nominated link fails on its first read or write. The controlling side staggers its candidates'
 * handshakes ({@link HandshakeStagger}) between its hello and its ClientHello: one at a time unless the
 * running one takes longer than the stagger; every candidate still sends its hello at once.
 * Immutable; each {@link #handshaker} serves one attempt.
 */
public final class TlsCredentials implements Credentials {
  private final Identity identity;
  private final TlsHandshake tls;

  private TlsCredentials(Identity identity) {
    this.identity = identity;
    this.tls = new TlsHandshake(identity);
  }

  /**
   * A fresh key pair and certificate for every connection, each made one allocation ahead ({@link MadeAhead}),
   * so GetAddresses does not wait for the key generation (the sidecar's first allocation makes its own).
   */
  public static Supplier<Credentials> ephemeral() {
    return new MadeAhead<>(() -> new TlsCredentials(Identity.generate()));
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
  public Handshaker handshaker(String peerFingerprint, SecureLink.Nominated stream) {
    boolean controlling = identity.fingerprint().compareTo(peerFingerprint) < 0;
    if (!controlling) {
      return (socket, nomination, timeoutMillis) -> {
        SecureLink link = authenticate(socket, peerFingerprint, timeoutMillis);
        try {
          if (link.awaitNomination(timeoutMillis, stream) && nomination.tryWin()) {
            return Optional.<Link>of(link);
          }
          link.close();
          return Optional.<Link>empty();
        } catch (ProtocolVersionException e) {
          // The controlling side may already count this link as established (it does not wait for us): say why.
          link.abort(PeerCloseReason.ERROR, e.getMessage());
          throw failure(e);
        } catch (IOException e) {
          link.close();
          throw failure(e);
        }
      };
    }
    HandshakeStagger stagger = new HandshakeStagger();
    return (socket, nomination, timeoutMillis) -> {
      StaggerTurn turn = new StaggerTurn(stagger, nomination);
      try {
        SecureLink link = authenticate(socket, peerFingerprint, timeoutMillis, turn);
        return link == null ? Optional.<Link>empty() : nominate(link, nomination, stream);
      } finally {
        turn.release();
      }
    };
  }

  /**
   * One candidate's place in the stagger, taken after our hello is sent (so the peer always gets it) and
   * before the ClientHello; used by that candidate's thread only.
   */
  private static final class StaggerTurn implements TlsHandshake.BeforeClientHello {
    private final HandshakeStagger stagger;
    private final Nomination nomination;
    private boolean taken;

    StaggerTurn(HandshakeStagger stagger, Nomination nomination) {
      this.stagger = stagger;
      this.nomination = nomination;
    }

    @Override
    public void await() throws IOException {
      try {
        taken = stagger.awaitTurn(nomination);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for another candidate's handshake");
      }
      if (!taken) {
        throw new AttemptDecided();
      }
    }

    void release() {
      if (taken) {
        stagger.finished();
      }
    }
  }

  /** Another candidate won while this one waited: it need not handshake. */
  private static final class AttemptDecided extends IOException {
    AttemptDecided() {
      super("the attempt was decided by another candidate");
    }
  }

  /** The controlling side keeps the first candidate that completes TLS and nominates it. */
  private static Optional<Link> nominate(SecureLink link, Nomination nomination, SecureLink.Nominated stream)
      throws Handshaker.HandshakeException {
    if (!nomination.tryWin()) {
      link.close();
      return Optional.empty();
    }
    try {
      link.sendNomination(stream);
      return Optional.of(link);
    } catch (IOException e) {
      // TLS 1.3 lets the client finish before the server has checked its certificate: a rejection by
      // the peer shows up here, on the first write or read.
      link.close();
      throw failure(e);
    }
  }

  private SecureLink authenticate(Socket socket, String peerFingerprint, int timeoutMillis)
      throws Handshaker.HandshakeException {
    return authenticate(socket, peerFingerprint, timeoutMillis, () -> {});
  }

  /** The authenticated link, or null when {@code gate} abandoned the handshake (the attempt was decided). */
  private SecureLink authenticate(Socket socket, String peerFingerprint, int timeoutMillis,
      TlsHandshake.BeforeClientHello gate) throws Handshaker.HandshakeException {
    try {
      return new SecureLink(tls.secure(socket, peerFingerprint, Duration.ofMillis(timeoutMillis), gate));
    } catch (AttemptDecided decided) {
      return null;
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
    return new Handshaker.HandshakeException(reason, failure.message(), failure.kind() == TlsFailure.Kind.TIMEOUT);
  }
}
