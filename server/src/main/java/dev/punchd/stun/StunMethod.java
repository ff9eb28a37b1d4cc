package dev.punchd.stun;

/** The STUN methods punchd speaks: Binding (RFC 8489), TURN (RFC 8656) and TCP relaying (RFC 6062). */
public enum StunMethod {
  BINDING(0x001),
  ALLOCATE(0x003),
  REFRESH(0x004),
  CREATE_PERMISSION(0x008),
  CONNECT(0x00A),
  CONNECTION_BIND(0x00B),
  CONNECTION_ATTEMPT(0x00C);

  private final int code;

  StunMethod(int code) {
    this.code = code;
  }

  /** The 12-bit method number. */
  public int code() {
    return code;
  }

  /** The method with this number, or {@code null} for one punchd does not speak. */
  static StunMethod of(int code) {
    for (StunMethod method : values()) {
      if (method.code == code) {
        return method;
      }
    }
    return null;
  }

  /** The name RFCs use, e.g. {@code ConnectionBind}. */
  public String displayName() {
    StringBuilder name = new StringBuilder();
    for (String word : name().split("_")) {
      name.append(word.charAt(0)).append(word.substring(1).toLowerCase(java.util.Locale.ROOT));
    }
    return name.toString();
  }
}
