package dev.punchd.transport.tls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLHandshakeException;

/**
 * Secures a connected TCP socket with TLS 1.3 and mutual authentication by pinned fingerprints
 * (DESIGN.md section 4). The TLS client is the side with the lexicographically lower fingerprint;
 * each side accepts only the certificate whose SHA-256 is the fingerprint it was given. Only TLS
 * 1.3 is enabled, with no fallback. Engines come from {@link TlsEngines} (BoringSSL where it loads, else
 * SunJSSE): no session is ever resumed and every handshake checks the peer's certificate. The secured
 * socket ({@link TlsSocket}) closes with close_notify and has no TLS half-close.
 *
 * <p>Immutable and thread-safe: one instance may secure many sockets concurrently.
 */
public final class TlsHandshake {
  private static final Duration MAX_FLIGHT_WAIT = Duration.ofSeconds(1);

  private final Identity local;
  private final TlsEngines engines;

  /** Handshakes presenting {@code local}, on the process's {@link TlsEngines#shared() engines}. */
  public TlsHandshake(Identity local) {
    this(local, TlsEngines.shared());
  }

  TlsHandshake(Identity local, TlsEngines engines) {
    this.local = Objects.requireNonNull(local, "local");
    this.engines = Objects.requireNonNull(engines, "engines");
  }

  /**
   * Runs the TLS 1.3 handshake over {@code connected} and returns the secured socket, whose close
   * also closes {@code connected}. The handshake is bounded by {@code timeout} as the socket read
   * timeout (each read waits at most that long); afterwards the read timeout is 0 (none). It also
   * turns on {@code TCP_NODELAY} and leaves it on: a flight may leave in more than one send, and
   * Nagle's algorithm against the peer's delayed ACKs added 40-80 ms to every loopback handshake.
   *
   * <p>On return our side of the handshake is complete. On the client side (lower fingerprint) the
   * server may still reject our certificate after that point, because in TLS 1.3 the client
   * finishes first: the client then sees the rejection as an {@link IOException} on its first read
   * ({@link TlsFailure.Kind#REJECTED_BY_PEER}). On failure the socket is closed and the exception
   * can be explained with {@link TlsFailure#classify}. Before TLS both sides exchange a {@link
   * FingerprintHello}, so a wrong fingerprint on either side is reported as a mismatch on both sides
   * and never makes both sides pick the same TLS role; the TLS client checks the peer's hello in front
   * of the peer's first TLS record instead of waiting for it before its ClientHello.
   *
   * @param peerFingerprint the fingerprint the peer must present, 64 hex digits in either case
   * @throws IllegalArgumentException if {@code peerFingerprint} is malformed or equals our own, or
   *     {@code timeout} is not positive
   * @throws IOException if the handshake fails or times out
   */
  public TlsSocket secure(Socket connected, String peerFingerprint, Duration timeout)
      throws IOException {
    return secure(connected, peerFingerprint, timeout, () -> {});
  }

  /**
   * Runs on the TLS client after its hello has been sent and before its ClientHello: it may wait (e.g. for
   * another candidate's handshake), or abandon this handshake by throwing, which closes the socket. The
   * peer has our hello either way, so it can still tell which side holds a wrong fingerprint.
   */
  @FunctionalInterface
  public interface BeforeClientHello {
    void await() throws IOException;
  }

  /** As {@link #secure(Socket, String, Duration)}, with {@code gate} run before the ClientHello. */
  public TlsSocket secure(
      Socket connected, String peerFingerprint, Duration timeout, BeforeClientHello gate)
      throws IOException {
    Objects.requireNonNull(connected, "connected");
    Objects.requireNonNull(gate, "gate");
    String expected = Fingerprints.normalize(peerFingerprint);
    int readTimeoutMillis = readTimeoutMillis(timeout);
    int order = local.fingerprint().compareTo(expected);
    if (order == 0) {
      throw new IllegalArgumentException(
          "peer fingerprint " + expected + " is our own; each peer needs its own identity");
    }
    boolean client = order < 0;
    connected.setTcpNoDelay(true);
    InputStream recordsIn =
        helloThenTls(connected, client, expected, Duration.ofMillis(readTimeoutMillis), gate);
    PinnedTrustManager trustManager =
        new PinnedTrustManager(
            expected, () -> PeerFlight.discardRest(connected, min(timeout, MAX_FLIGHT_WAIT)));
    OutputStream recordsOut = connected.getOutputStream();
    TlsEngines.Engine engine = engines.engine(client, local, trustManager);
    TlsSocket tls = new TlsSocket(connected, recordsIn, recordsOut, engine.engine(), engine.release());
    try {
      tls.setSoTimeout(readTimeoutMillis);
      tls.handshake();
      requireEstablished(tls);
      tls.setSoTimeout(0);
      return tls;
    } catch (IOException | RuntimeException e) {
      closeAfterFailure(tls, e);
      throw e;
    }
  }

  /**
   * Sends our hello and returns the input TLS reads its records from. The TLS server reads and checks the
   * peer's hello first (the client's ClientHello is right behind it, so this costs no time); the TLS client
   * does not wait for it: its ClientHello follows its hello at once, and the peer's hello is checked in front
   * of the peer's first TLS record ({@link HelloFirstInput}).
   */
  private InputStream helloThenTls(
      Socket connected, boolean client, String expected, Duration timeout, BeforeClientHello gate)
      throws IOException {
    String own = local.fingerprint();
    try {
      FingerprintHello.send(connected, own, expected);
      if (client) {
        gate.await();
        return new HelloFirstInput(
            connected.getInputStream(), () -> FingerprintHello.check(connected, own, expected, timeout));
      }
      FingerprintHello.check(connected, own, expected, timeout);
      return connected.getInputStream();
    } catch (IOException e) {
      connected.close();
      throw e;
    }
  }

  /** The engine ended the handshake without a TLS 1.3 session: the peer cancelled it. */
  private static void requireEstablished(TlsSocket tls) throws SSLHandshakeException {
    if (!TlsEngines.PROTOCOL.equals(tls.session().getProtocol())) {
      throw new SSLHandshakeException(
          "TLS handshake did not complete",
          new EOFException("peer cancelled the TLS handshake and closed the connection"));
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static int readTimeoutMillis(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("handshake timeout must be positive, got " + timeout);
    }
    return (int) Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
  }

  private static void closeAfterFailure(TlsSocket tls, Exception failure) {
    try {
      tls.close();
    } catch (IOException closeFailure) {
      failure.addSuppressed(closeFailure);
    }
  }
}
