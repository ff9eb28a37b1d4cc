package dev.punchd.transport.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one certificate, identified by its SHA-256 fingerprint, in either role. There is
 * no CA, validity or hostname check: possession of the pinned certificate's key (proven by the TLS
 * 1.3 CertificateVerify) is the whole of the authentication. Being an {@link
 * X509ExtendedTrustManager}, the TLS engines use it as is instead of wrapping it with endpoint checks.
 * Thread-safe if {@code beforeRejecting} is.
 */
final class PinnedTrustManager extends X509ExtendedTrustManager {
  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private final String expectedFingerprint;
  private final Runnable beforeRejecting;

  /**
   * @param beforeRejecting runs on the handshake thread just before a certificate is rejected
   */
  PinnedTrustManager(String expectedFingerprint, Runnable beforeRejecting) {
    this.expectedFingerprint = Fingerprints.normalize(expectedFingerprint);
    this.beforeRejecting = beforeRejecting;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    requirePinned(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    requirePinned(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    requirePinned(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    requirePinned(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    requirePinned(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    requirePinned(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }

  private void requirePinned(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    String presented = Fingerprints.of(chain[0]);
    if (!presented.equals(expectedFingerprint)) {
      beforeRejecting.run();
      throw new FingerprintMismatchException(presented, expectedFingerprint);
    }
  }
}
