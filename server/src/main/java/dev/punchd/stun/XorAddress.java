package dev.punchd.stun;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Encodes and decodes address attributes (RFC 8489 sections 14.1 and 14.2): plain (MAPPED-ADDRESS,
 * OTHER-ADDRESS) or XOR'd with the magic cookie and the transaction id (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS,
 * XOR-RELAYED-ADDRESS). Stateless.
 */
final class XorAddress {
  private static final int FAMILY_IPV4 = 0x01;
  private static final int FAMILY_IPV6 = 0x02;

  private XorAddress() {}

  /** Whether attributes of this type carry their address XOR'd. */
  static boolean isXored(int type) {
    return type == StunAttributes.XOR_MAPPED_ADDRESS || type == StunAttributes.XOR_PEER_ADDRESS
        || type == StunAttributes.XOR_RELAYED_ADDRESS;
  }

  static byte[] encode(InetSocketAddress address, boolean xored, byte[] transactionId) {
    byte[] ip = address.getAddress().getAddress();
    ByteBuffer value = ByteBuffer.allocate(4 + ip.length);
    value.put((byte) 0).put((byte) (ip.length == 4 ? FAMILY_IPV4 : FAMILY_IPV6));
    int port = address.getPort();
    value.putShort((short) (xored ? port ^ (StunCodec.MAGIC_COOKIE >>> 16) : port));
    value.put(xored ? mask(ip, transactionId) : ip);
    return value.array();
  }

  static InetSocketAddress decode(byte[] value, boolean xored, byte[] transactionId) throws StunFormatException {
    if (value.length < 4) {
      throw new StunFormatException("address attribute of " + value.length + " bytes");
    }
    int family = value[1] & 0xFF;
    int length = family == FAMILY_IPV4 ? 4 : family == FAMILY_IPV6 ? 16 : -1;
    if (length < 0 || value.length != 4 + length) {
      throw new StunFormatException("address attribute with family " + family + " and " + value.length + " bytes");
    }
    int port = ((value[2] & 0xFF) << 8) | (value[3] & 0xFF);
    byte[] ip = new byte[length];
    System.arraycopy(value, 4, ip, 0, length);
    try {
      return new InetSocketAddress(
          InetAddress.getByAddress(xored ? mask(ip, transactionId) : ip),
          xored ? port ^ (StunCodec.MAGIC_COOKIE >>> 16) : port);
    } catch (UnknownHostException e) {
      throw new StunFormatException("address attribute with a malformed address: " + e.getMessage());
    }
  }

  /** XORs an address with the magic cookie followed by the transaction id (an involution). */
  private static byte[] mask(byte[] ip, byte[] transactionId) {
    ByteBuffer key = ByteBuffer.allocate(16).putInt(StunCodec.MAGIC_COOKIE).put(transactionId);
    byte[] out = new byte[ip.length];
    for (int i = 0; i < ip.length; i++) {
      out[i] = (byte) (ip[i] ^ key.get(i));
    }
    return out;
  }
}
