package dev.punchd.transport;

/** Why a side ends a connection, as carried on the wire in a CLOSE frame (SECURE mode only). */
public enum PeerCloseReason {
  APPLICATION(1),
  SHUTDOWN(2),
  ERROR(3);

  private final int code;

  PeerCloseReason(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The reason for a wire code; unknown codes (from newer peers) read as ERROR. */
  public static PeerCloseReason fromCode(int code) {
    for (PeerCloseReason reason : values()) {
      if (reason.code == code) {
        return reason;
      }
    }
    return ERROR;
  }
}
