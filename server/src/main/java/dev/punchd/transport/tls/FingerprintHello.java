package dev.punchd.transport.tls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The plaintext hello both sides send before TLS (docs/wire-protocol.md): magic {@code PNCH}, version 2, a
 * fresh 16-byte nonce, then two 32-byte commitments: {@code SHA-256("punchd is" | nonce | own fingerprint)}
 * and {@code SHA-256("punchd expects" | nonce | fingerprint expected of the peer)}. Whoever connects learns
 * neither fingerprint from it (a fingerprint is the hash of a fresh certificate, not guessable), yet the
 * peer, which knows both, checks each half: both match (go on to TLS, roles from the fingerprints); the
 * peer expects us but is not who we expect (it knows our fingerprint, so this side was most likely given
 * the wrong one); the peer is who we expect but does not expect us (it was given the wrong one for us);
 * neither matches ({@link NotPeer}: a stranger, or both sides misinformed). Stateless.
 */
final class FingerprintHello {
  private static final byte[] MAGIC = "PNCH".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 2;
  private static final int NONCE = 16;
  private static final int DIGEST = 32;
  private static final int HEADER = MAGIC.length + 1;
  static final int LENGTH = HEADER + NONCE + DIGEST + DIGEST;
  private static final byte[] IS = "punchd is".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EXPECTS = "punchd expects".getBytes(StandardCharsets.US_ASCII);
  private static final HexFormat HEX = HexFormat.of();
  private static final SecureRandom RANDOM = new SecureRandom();

  private FingerprintHello() {}

  /** A parsed hello: the sender's nonce and its two commitments. */
  record Parsed(byte[] nonce, byte[] is, byte[] expects) {
    /** Whether the sender's fingerprint is {@code fingerprint} (64 hex digits). */
    boolean senderIs(String fingerprint) {
      return MessageDigest.isEqual(is, commit(IS, nonce, fingerprint));
    }

    /** Whether the sender expects its peer to have {@code fingerprint}. */
    boolean senderExpects(String fingerprint) {
      return MessageDigest.isEqual(expects, commit(EXPECTS, nonce, fingerprint));
    }
  }

  /** The peer's hello says it expects someone else: it will reject our certificate. */
  static final class Rejected extends IOException {
    Rejected(String message) {
      super(message);
    }
  }

  /** The peer's hello matches neither fingerprint: not our peer (or both sides were given wrong ones). */
  static final class NotPeer extends IOException {
    NotPeer(String message) {
      super(message);
    }
  }

  /** Our hello, as {@code own} expecting {@code expected} (fingerprints as 64 hex digits). */
  static byte[] encode(String own, String expected) {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    byte[] hello = new byte[LENGTH];
    System.arraycopy(MAGIC, 0, hello, 0, MAGIC.length);
    hello[MAGIC.length] = VERSION;
    System.arraycopy(nonce, 0, hello, HEADER, NONCE);
    System.arraycopy(commit(IS, nonce, own), 0, hello, HEADER + NONCE, DIGEST);
    System.arraycopy(commit(EXPECTS, nonce, expected), 0, hello, HEADER + NONCE + DIGEST, DIGEST);
    return hello;
  }

  /**
   * Parses a hello of exactly {@link #LENGTH} bytes (the entry point for fuzzing).
   *
   * @throws IOException when the bytes are not a punchd hello of this version
   */
  static Parsed parse(byte[] hello) throws IOException {
    if (hello.length != LENGTH) {
      throw new IOException("protocol error: a punchd hello has " + LENGTH + " bytes, got " + hello.length);
    }
    checkHeader(hello);
    return new Parsed(Arrays.copyOfRange(hello, HEADER, HEADER + NONCE),
        Arrays.copyOfRange(hello, HEADER + NONCE, HEADER + NONCE + DIGEST),
        Arrays.copyOfRange(hello, HEADER + NONCE + DIGEST, LENGTH));
  }

  /**
   * Sends our hello, reads the peer's and checks that each side expects the other.
   *
   * @throws IOException caused by a {@link FingerprintMismatchException} when the peer knows our
   *     fingerprint but is not who we expect; {@link Rejected} when it is who we expect but does not
   *     expect us; {@link NotPeer} when neither holds; see {@link TlsFailure#classify}. Any other
   *     IOException: the peer sent no valid hello within {@code timeout}.
   */
  static void exchange(Socket socket, String own, String expected, Duration timeout) throws IOException {
    send(socket, own, expected);
    check(socket, own, expected, timeout);
  }

  /** Sends our hello, as {@code own} expecting {@code expected}. */
  static void send(Socket socket, String own, String expected) throws IOException {
    socket.getOutputStream().write(encode(own, expected));
    socket.getOutputStream().flush();
  }

  /**
   * Reads the peer's hello from {@code socket} (waiting at most {@code timeout}) and checks that each side
   * expects the other; throws as {@link #exchange} does.
   */
  static void check(Socket socket, String own, String expected, Duration timeout) throws IOException {
    Parsed peer = parse(readHello(socket, timeout));
    boolean peerIsExpected = peer.senderIs(expected);
    boolean peerExpectsUs = peer.senderExpects(own);
    if (peerIsExpected && peerExpectsUs) {
      return;
    }
    if (peerExpectsUs) {
      throw new IOException("peer knows our fingerprint but its own is not "
          + Fingerprints.abbreviate(expected) + " (this side was given a wrong peer fingerprint)",
          new FingerprintMismatchException("peer's fingerprint is not " + Fingerprints.abbreviate(expected)
              + ", the one this side was given"));
    }
    if (peerIsExpected) {
      throw new Rejected("peer rejected our certificate: it expects another fingerprint for us, ours is "
          + Fingerprints.abbreviate(own) + " (the peer was given a wrong peer fingerprint)");
    }
    throw new NotPeer("not our peer: its hello matches neither our fingerprint nor the expected "
        + Fingerprints.abbreviate(expected));
  }

  private static void checkHeader(byte[] hello) throws IOException {
    if (!Arrays.equals(hello, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new IOException("protocol error: peer is not speaking punchd (no PNCH hello)");
    }
    if (hello[MAGIC.length] != VERSION) {
      throw new IOException("peer speaks punchd hello version " + hello[MAGIC.length] + ", this side " + VERSION);
    }
  }

  private static byte[] commit(byte[] label, byte[] nonce, String fingerprint) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update(label);
      sha256.update(nonce);
      sha256.update(HEX.parseHex(fingerprint));
      return sha256.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  private static void readFully(InputStream in, byte[] into, int offset, int length) throws IOException {
    if (in.readNBytes(into, offset, length) < length) {
      throw new EOFException("peer closed the connection during the punchd hello");
    }
  }

  private static byte[] readHello(Socket socket, Duration timeout) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      InputStream in = socket.getInputStream();
      byte[] peer = new byte[LENGTH];
      readFully(in, peer, 0, HEADER);
      checkHeader(peer);
      readFully(in, peer, HEADER, LENGTH - HEADER);
      return peer;
    } catch (SocketTimeoutException e) {
      throw new SocketTimeoutException("peer sent no punchd hello within " + timeout.toMillis() + " ms");
    } finally {
      socket.setSoTimeout(before);
    }
  }
}
