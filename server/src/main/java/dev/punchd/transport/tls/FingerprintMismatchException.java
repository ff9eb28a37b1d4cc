package dev.punchd.transport.tls;

import java.security.cert.CertificateException;

/**
 * Thrown by {@link PinnedTrustManager} when the peer's certificate is not the pinned one (and, as the
 * cause of an IOException, by {@link FingerprintHello} when the hellos disagree). The TLS engine
 * keeps it as the cause of the handshake failure, which lets {@link TlsFailure#classify} recognise
 * it. The message shows only fingerprint prefixes.
 */
final class FingerprintMismatchException extends CertificateException {
  private static final long serialVersionUID = 1L;

  FingerprintMismatchException(String presented, String expected) {
    this(
        "peer presented fingerprint "
            + Fingerprints.abbreviate(presented)
            + ", expected "
            + Fingerprints.abbreviate(expected));
  }

  FingerprintMismatchException(String message) {
    super(message);
  }
}
