package dev.punchd.transport.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Objects;

/**
 * The key pair and self-signed certificate a punchd peer authenticates with: an EC P-256 key and a
 * {@code CN=punchd} certificate valid from one day ago for ten years. Peers identify each other by
 * the certificate's {@link #fingerprint() fingerprint}, never by a CA or a name.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows only the fingerprint, never the key.
 */
public final class Identity {
  private final PrivateKey privateKey;
  private final X509Certificate certificate;
  private final String fingerprint;

  Identity(PrivateKey privateKey, X509Certificate certificate) throws CertificateEncodingException {
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.fingerprint = Fingerprints.of(certificate);
  }

  /** A fresh ephemeral identity, e.g. one per connection. */
  public static Identity generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair keys = generator.generateKeyPair();
      return new Identity(keys.getPrivate(), SelfSignedCertificate.issue(keys));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC P-256 identity", e);
    }
  }

  /**
   * The persistent identity stored in {@code keyFile}, created there if the file does not exist.
   * The file holds the PKCS#8 private key and the certificate as PEM, so the fingerprint stays the
   * same across restarts. A new file is created atomically with mode 0600 (on POSIX file systems);
   * processes creating it at once all get the same identity.
   *
   * @throws IOException naming the file when it cannot be read or written, is corrupt, holds a
   *     certificate that does not belong to its key, or group or others may access it (naming its mode)
   */
  public static Identity loadOrCreate(Path keyFile) throws IOException {
    return IdentityFile.loadOrCreate(Objects.requireNonNull(keyFile, "keyFile"));
  }

  /** Whether {@code fingerprint} has the form of a fingerprint: 64 hex digits, either case. */
  public static boolean isValidFingerprint(String fingerprint) {
    return Fingerprints.isValid(fingerprint);
  }

  /** Lowercase hex SHA-256 of the certificate's DER encoding (64 characters). */
  public String fingerprint() {
    return fingerprint;
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The private key; keep it out of logs and messages. */
  public PrivateKey privateKey() {
    return privateKey;
  }

  @Override
  public String toString() {
    return "Identity[fingerprint=" + fingerprint + "]";
  }
}
