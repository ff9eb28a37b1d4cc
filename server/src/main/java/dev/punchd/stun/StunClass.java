package dev.punchd.stun;

/** The class of a STUN message (RFC 8489 section 5), in the order of its two-bit code. */
public enum StunClass {
  REQUEST, INDICATION, SUCCESS, ERROR;

  /** The two-bit class code. */
  int code() {
    return ordinal();
  }
}
