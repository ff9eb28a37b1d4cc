package dev.punchd.stun;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;

/**
 * The key of STUN's long-term credential mechanism (RFC 8489 section 9.2.2, MD5 variant, the one coturn
 * uses): {@code MD5(username ":" realm ":" OpaqueString(password))}. The password is prepared the way
 * SASLprep/OpaqueString maps it (characters "mapped to nothing" dropped, non-ASCII spaces made spaces,
 * NFKC), without its prohibited-character checks. Stateless.
 */
public final class LongTermKey {
  private LongTermKey() {}

  public static byte[] of(String username, String realm, String password) {
    String joined = username + ":" + realm + ":" + prepare(password);
    try {
      return MessageDigest.getInstance("MD5").digest(joined.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is missing from this JVM", e);
    }
  }

  static String prepare(String password) {
    StringBuilder mapped = new StringBuilder(password.length());
    password.codePoints().forEach(c -> {
      if (Character.isSpaceChar(c) && c != ' ') {
        mapped.append(' ');
      } else if (!mapsToNothing(c)) {
        mapped.appendCodePoint(c);
      }
    });
    return Normalizer.normalize(mapped, Normalizer.Form.NFKC);
  }

  /** RFC 3454 table B.1: soft hyphen, joiners, variation selectors and the like. */
  private static boolean mapsToNothing(int c) {
    return c == 0x00AD || c == 0x034F || c == 0x1806 || (c >= 0x180B && c <= 0x180D)
        || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF;
  }
}
