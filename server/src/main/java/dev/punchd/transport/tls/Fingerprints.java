package dev.punchd.transport.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/** SHA-256 certificate fingerprints as lowercase hex. Stateless and thread-safe. */
final class Fingerprints {
  private static final Pattern VALID = Pattern.compile("[0-9a-fA-F]{64}");
  private static final int SHOWN_DIGITS = 16;

  private Fingerprints() {}

  static String of(X509Certificate certificate) throws CertificateEncodingException {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  static boolean isValid(String fingerprint) {
    return fingerprint != null && VALID.matcher(fingerprint).matches();
  }

  /** Validates and lowercases a fingerprint given by a user, naming it when it is malformed. */
  static String normalize(String fingerprint) {
    if (!isValid(fingerprint)) {
      throw new IllegalArgumentException(
          "fingerprint must be 64 hex digits (SHA-256), got '" + fingerprint + "'");
    }
    return fingerprint.toLowerCase(Locale.ROOT);
  }

  /** The first digits of a fingerprint followed by "...", enough for a human to compare. */
  static String abbreviate(String fingerprint) {
    return fingerprint.substring(0, Math.min(SHOWN_DIGITS, fingerprint.length())) + "...";
  }
}
