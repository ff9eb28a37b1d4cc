package dev.punchd.transport.tls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The plaintext hello both sides send before TLS: magic {@code PNCH}, version 1, the sender's own
 * fingerprint and the fingerprint it expects of the peer (32 bytes each). It authenticates nothing (TLS
 * does that next); it lets both sides pick TLS roles from the same two fingerprints and tell a user
 * exactly which side was given the wrong fingerprint, on both sides, instead of two TLS clients or two
 * TLS servers meeting. Costs one round trip; reveals the two fingerprints to an on-path observer (TLS
 * 1.3 would hide the certificates). Stateless.
 */
final class FingerprintHello {
  private static final byte[] MAGIC = "PNCH".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  static final int LENGTH = MAGIC.length + 1 + 32 + 32;
  private static final HexFormat HEX = HexFormat.of();

  private FingerprintHello() {}

  /** The peer's hello says it expects someone else: it will reject our certificate. */
  static final class Rejected extends IOException {
    Rejected(String message) {
      super(message);
    }
  }

  /**
   * Sends our hello, reads the peer's and checks that each side expects the other.
   *
   * @throws IOException caused by a {@link FingerprintMismatchException} when the peer is not who we
   *     expect; {@link Rejected} when it does not expect us; see {@link TlsFailure#classify}
   *     Any other IOException: the peer sent no valid hello within {@code timeout}.
   */
  static void exchange(Socket socket, String own, String expected, Duration timeout) throws IOException {
    byte[] hello = new byte[LENGTH];
    System.arraycopy(MAGIC, 0, hello, 0, MAGIC.length);
    hello[MAGIC.length] = VERSION;
    System.arraycopy(HEX.parseHex(own), 0, hello, MAGIC.length + 1, 32);
    System.arraycopy(HEX.parseHex(expected), 0, hello, MAGIC.length + 33, 32);
    socket.getOutputStream().write(hello);
    socket.getOutputStream().flush();

    byte[] peer = readHello(socket, timeout);
    String peerIs = HEX.formatHex(peer, MAGIC.length + 1, MAGIC.length + 33);
    String peerExpects = HEX.formatHex(peer, MAGIC.length + 33, LENGTH);
    if (!peerIs.equals(expected)) {
      throw mismatch(new FingerprintMismatchException(peerIs, expected));
    }
    if (!peerExpects.equals(own)) {
      throw new Rejected("peer rejected our certificate: it expects fingerprint "
          + Fingerprints.abbreviate(peerExpects) + ", ours is " + Fingerprints.abbreviate(own));
    }
  }

  private static void readFully(InputStream in, byte[] into, int offset, int length) throws IOException {
    if (in.readNBytes(into, offset, length) < length) {
      throw new EOFException("peer closed the connection during the punchd hello");
    }
  }

  private static IOException mismatch(FingerprintMismatchException cause) {
    return new IOException(cause.getMessage(), cause);
  }

  private static byte[] readHello(Socket socket, Duration timeout) throws IOException {
    int before = socket.getSoTimeout();
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      InputStream in = socket.getInputStream();
      byte[] peer = new byte[LENGTH];
      int header = MAGIC.length + 1;
      readFully(in, peer, 0, header);
      if (!Arrays.equals(peer, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
        throw new IOException("protocol error: peer is not speaking punchd (no PNCH hello)");
      }
      if (peer[MAGIC.length] != VERSION) {
        throw new IOException("peer speaks punchd hello version " + peer[MAGIC.length] + ", this side " + VERSION);
      }
      readFully(in, peer, header, LENGTH - header);
      return peer;
    } catch (SocketTimeoutException e) {
      throw new SocketTimeoutException("peer sent no punchd hello within " + timeout.toMillis() + " ms");
    } finally {
      socket.setSoTimeout(before);
    }
  }
}
