package dev.punchd.transport.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;

/**
 * Lets a certificate rejection reach the peer. When we reject the peer's Certificate, the rest of
 * its flight (CertificateVerify and Finished) may still be on its way.
 * If it arrives after we have sent the alert and closed the socket, our kernel answers with a
 * RST and the peer, still writing, fails with "Broken pipe" without ever reading the alert (a third
 * of loopback rejections, measured). Reading those records first makes the close a plain FIN.
 * Stateless and thread-safe; called on the handshake thread while the TLS engine waits for the verdict.
 */
final class PeerFlight {
  static final int RECORDS_AFTER_CERTIFICATE = 2;
  private static final int RECORD_HEADER_BYTES = 5;

  private PeerFlight() {}

  /**
   * Reads and drops up to {@link #RECORDS_AFTER_CERTIFICATE} TLS records from {@code raw}, waiting
   * at most {@code limit} for each read. Gives up quietly at end of stream, on timeout or error:
   * the handshake is failing anyway and only the alert's delivery is at stake.
   */
  static void discardRest(Socket raw, Duration limit) {
    try {
      int previousTimeout = raw.getSoTimeout();
      raw.setSoTimeout((int) Math.clamp(limit.toMillis(), 1, Integer.MAX_VALUE));
      try {
        InputStream in = raw.getInputStream();
        for (int i = 0; i < RECORDS_AFTER_CERTIFICATE; i++) {
          byte[] header = in.readNBytes(RECORD_HEADER_BYTES);
          if (header.length < RECORD_HEADER_BYTES) {
            return;
          }
          in.skipNBytes(((header[3] & 0xff) << 8) | (header[4] & 0xff));
        }
      } finally {
        raw.setSoTimeout(previousTimeout);
      }
    } catch (IOException peerGoneOrSilent) {
      // Nothing more to read; the rejection proceeds either way.
    }
  }
}
