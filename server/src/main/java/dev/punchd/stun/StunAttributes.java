package dev.punchd.stun;

/** Attribute type numbers of RFC 8489, RFC 8656, RFC 6062 and RFC 5780 that punchd reads or writes. */
public final class StunAttributes {
  public static final int MAPPED_ADDRESS = 0x0001;
  public static final int USERNAME = 0x0006;
  public static final int MESSAGE_INTEGRITY = 0x0008;
  public static final int ERROR_CODE = 0x0009;
  public static final int LIFETIME = 0x000D;
  public static final int XOR_PEER_ADDRESS = 0x0012;
  public static final int REALM = 0x0014;
  public static final int NONCE = 0x0015;
  public static final int XOR_RELAYED_ADDRESS = 0x0016;
  public static final int REQUESTED_TRANSPORT = 0x0019;
  public static final int XOR_MAPPED_ADDRESS = 0x0020;
  public static final int CONNECTION_ID = 0x002A;
  public static final int SOFTWARE = 0x8022;
  public static final int FINGERPRINT = 0x8028;
  public static final int OTHER_ADDRESS = 0x802C;

  /** REQUESTED-TRANSPORT's protocol number for TCP (RFC 6062). */
  public static final int TRANSPORT_TCP = 6;

  private StunAttributes() {}
}
