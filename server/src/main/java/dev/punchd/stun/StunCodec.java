package dev.punchd.stun;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns {@link StunMessage}s into bytes and back (RFC 8489 sections 5, 14 and 15): header, padded
 * attributes, MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT (CRC-32). Stateless, thread-safe.
 */
public final class StunCodec {
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int HEADER_BYTES = 20;
  private static final int INTEGRITY_BYTES = 20;
  private static final int FINGERPRINT_XOR = 0x5354554E;

  private StunCodec() {}

  /**
   * Encodes a message; with a {@code key}, appends MESSAGE-INTEGRITY computed with it; with {@code fingerprint},
   * appends FINGERPRINT last.
   */
  public static byte[] encode(StunMessage message, byte[] key, boolean fingerprint) {
    int attributesLength = 0;
    for (StunMessage.Attribute attribute : message.attributes()) {
      attributesLength += 4 + padded(attribute.value().length);
    }
    int total = HEADER_BYTES + attributesLength + (key == null ? 0 : 4 + INTEGRITY_BYTES) + (fingerprint ? 8 : 0);
    ByteBuffer out = ByteBuffer.allocate(total);
    out.putShort((short) messageType(message.method(), message.type())).putShort((short) 0)
        .putInt(MAGIC_COOKIE).put(message.transactionId());
    for (StunMessage.Attribute attribute : message.attributes()) {
      putAttribute(out, attribute.type(), attribute.value());
    }
    if (key != null) {
      out.putShort(2, (short) (out.position() - HEADER_BYTES + 4 + INTEGRITY_BYTES));
      putAttribute(out, StunAttributes.MESSAGE_INTEGRITY, hmac(key, out.array(), out.position()));
    }
    if (fingerprint) {
      out.putShort(2, (short) (out.position() - HEADER_BYTES + 8));
      putAttribute(out, StunAttributes.FINGERPRINT, ByteBuffer.allocate(4).putInt(crc(out.array(), out.position())).array());
    }
    out.putShort(2, (short) (out.position() - HEADER_BYTES));
    return out.array();
  }

  /**
   * Decodes one whole message. Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored, as RFC
   * 8489 requires; MESSAGE-INTEGRITY and FINGERPRINT themselves are kept as attributes (check them with
   * {@link #integrityMatches} and {@link #fingerprintMatches}).
   *
   * @throws StunFormatException when the bytes are not a STUN message of a method punchd speaks
   */
  public static StunMessage decode(byte[] wire) throws StunFormatException {
    ByteBuffer in = header(wire);
    int type = in.getShort() & 0xFFFF;
    in.position(8);
    byte[] transactionId = new byte[12];
    in.get(transactionId);
    int methodCode = (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    StunMethod method = StunMethod.of(methodCode);
    if (method == null) {
      throw new StunFormatException("STUN method 0x" + Integer.toHexString(methodCode) + " is not one punchd speaks");
    }
    StunClass messageClass = StunClass.values()[((type >> 4) & 1) | ((type >> 7) & 2)];
    List<StunMessage.Attribute> attributes = new ArrayList<>();
    boolean afterIntegrity = false;
    while (in.hasRemaining()) {
      StunMessage.Attribute attribute = nextAttribute(in);
      if (!afterIntegrity || attribute.type() == StunAttributes.FINGERPRINT) {
        attributes.add(attribute);
      }
      afterIntegrity |= attribute.type() == StunAttributes.MESSAGE_INTEGRITY;
    }
    return new StunMessage(method, messageClass, transactionId, attributes);
  }

  /** The total length (header included) announced by a message's first 20 bytes. */
  static int totalLength(byte[] header) {
    return HEADER_BYTES + (((header[2] & 0xFF) << 8) | (header[3] & 0xFF));
  }

  /** Whether {@code wire} carries a MESSAGE-INTEGRITY that {@code key} produced. */
  public static boolean integrityMatches(byte[] wire, byte[] key) throws StunFormatException {
    int at = find(wire, StunAttributes.MESSAGE_INTEGRITY);
    if (at < 0) {
      return false;
    }
    byte[] covered = Arrays.copyOf(wire, at);
    ByteBuffer.wrap(covered).putShort(2, (short) (at - HEADER_BYTES + 4 + INTEGRITY_BYTES));
    byte[] expected = hmac(key, covered, covered.length);
    return MessageDigest.isEqual(expected, Arrays.copyOfRange(wire, at + 4, at + 4 + INTEGRITY_BYTES));
  }

  /** Whether {@code wire} ends with a correct FINGERPRINT. */
  public static boolean fingerprintMatches(byte[] wire) throws StunFormatException {
    int at = find(wire, StunAttributes.FINGERPRINT);
    if (at < 0 || at + 8 != wire.length) {
      return false;
    }
    byte[] covered = Arrays.copyOf(wire, at);
    ByteBuffer.wrap(covered).putShort(2, (short) (at - HEADER_BYTES + 8));
    return crc(covered, covered.length) == ByteBuffer.wrap(wire, at + 4, 4).getInt();
  }

  /** The offset of the first attribute of this type, or -1. */
  private static int find(byte[] wire, int attributeType) throws StunFormatException {
    ByteBuffer in = header(wire);
    in.position(HEADER_BYTES);
    while (in.hasRemaining()) {
      int at = in.position();
      if (nextAttribute(in).type() == attributeType) {
        return at;
      }
    }
    return -1;
  }

  private static ByteBuffer header(byte[] wire) throws StunFormatException {
    if (wire.length < HEADER_BYTES) {
      throw new StunFormatException("STUN message of " + wire.length + " bytes (a header has 20)");
    }
    ByteBuffer in = ByteBuffer.wrap(wire);
    if ((wire[0] & 0xC0) != 0 || in.getInt(4) != MAGIC_COOKIE) {
      throw new StunFormatException("not a STUN message (first bytes " + java.util.HexFormat.of()
          .formatHex(wire, 0, 8) + ")");
    }
    int length = totalLength(wire);
    if (length != wire.length || length % 4 != 0) {
      throw new StunFormatException("STUN message announces " + length + " bytes, has " + wire.length);
    }
    return in;
  }

  private static StunMessage.Attribute nextAttribute(ByteBuffer in) throws StunFormatException {
    if (in.remaining() < 4) {
      throw new StunFormatException("truncated attribute header");
    }
    int type = in.getShort() & 0xFFFF;
    int length = in.getShort() & 0xFFFF;
    if (in.remaining() < padded(length)) {
      throw new StunFormatException("attribute 0x" + Integer.toHexString(type) + " of " + length
          + " bytes overruns the message");
    }
    byte[] value = new byte[length];
    in.get(value);
    in.position(in.position() + padded(length) - length);
    return new StunMessage.Attribute(type, value);
  }

  private static void putAttribute(ByteBuffer out, int type, byte[] value) {
    out.putShort((short) type).putShort((short) value.length).put(value);
    out.position(out.position() + padded(value.length) - value.length);
  }

  private static int padded(int length) {
    return (length + 3) & ~3;
  }

  private static int messageType(StunMethod method, StunClass messageClass) {
    int m = method.code();
    int c = messageClass.code();
    return (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7);
  }

  private static byte[] hmac(byte[] key, byte[] data, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      mac.update(data, 0, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA1 is missing from this JVM", e);
    }
  }

  private static int crc(byte[] data, int length) {
    CRC32 crc = new CRC32();
    crc.update(data, 0, length);
    return (int) crc.getValue() ^ FINGERPRINT_XOR;
  }
}
