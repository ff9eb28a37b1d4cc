package dev.punchd.stun;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An ERROR-CODE attribute (RFC 8489 section 14.8): a code from 300 to 699 and a reason phrase. Immutable.
 *
 * @param code   e.g. 401, 438
 * @param reason the server's phrase, e.g. {@code Unauthorized}
 */
public record StunError(int code, String reason) {
  public static final int UNAUTHORIZED = 401;
  public static final int STALE_NONCE = 438;

  static StunError decode(byte[] value) throws StunFormatException {
    if (value.length < 4) {
      throw new StunFormatException("ERROR-CODE of " + value.length + " bytes (at least 4 expected)");
    }
    int code = (value[2] & 0x07) * 100 + (value[3] & 0xFF);
    String reason = new String(Arrays.copyOfRange(value, 4, value.length), StandardCharsets.UTF_8);
    return new StunError(code, reason);
  }

  byte[] encode() {
    byte[] phrase = reason.getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[4 + phrase.length];
    value[2] = (byte) (code / 100);
    value[3] = (byte) (code % 100);
    System.arraycopy(phrase, 0, value, 4, phrase.length);
    return value;
  }

  @Override
  public String toString() {
    return code + (reason.isBlank() ? "" : " " + reason.strip());
  }
}
