package dev.punchd.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads the PEM files of API TLS: certificates, and a private key as PKCS#8, SEC1 ({@code EC PRIVATE KEY})
 * or PKCS#1 ({@code RSA PRIVATE KEY}). Every error names the file. Stateless and thread-safe.
 */
final class PemFiles {
  private PemFiles() {}

  /** The certificates in {@code file}, in order; at least one. */
  static List<X509Certificate> certificates(Path file, String what) throws IOException {
    requireReadable(file, what);
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
          .map(X509Certificate.class::cast).toList();
      if (certificates.isEmpty()) {
        throw new IOException("API TLS " + what + " " + file + " holds no PEM certificate");
      }
      return certificates;
    } catch (GeneralSecurityException e) {
      throw new IOException("API TLS " + what + " " + file + " is not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  /** The first private key in {@code file}; encrypted keys are not supported. */
  static PrivateKey privateKey(Path file) throws IOException {
    requireReadable(file, "private key");
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        if (block instanceof PrivateKeyInfo pkcs8) {
          return converter.getPrivateKey(pkcs8);
        }
        if (block instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IOException("API TLS private key " + file + " is not readable PEM: " + e.getMessage(), e);
    }
    throw new IOException("API TLS private key " + file
        + " holds no unencrypted PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block");
  }

  /** Signs a random challenge with {@code key} and verifies it with the certificate's public key. */
  static void requireKeyMatches(PrivateKey key, Path keyFile, X509Certificate certificate, Path certificateFile)
      throws IOException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null; // no check for other key types; the TLS library still refuses unusable ones
    };
    if (algorithm == null) {
      return;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      if (verifier.verify(signer.sign())) {
        return;
      }
    } catch (GeneralSecurityException mismatchedTypes) {
      // e.g. an RSA key for an EC certificate: reported below
    }
    throw new IOException("API TLS private key " + keyFile + " does not belong to the first certificate in "
        + certificateFile + " (" + certificate.getSubjectX500Principal().getName() + ")");
  }

  private static void requireReadable(Path file, String what) throws IOException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IOException("API TLS " + what + " " + file + " is not a readable file");
    }
  }
}
