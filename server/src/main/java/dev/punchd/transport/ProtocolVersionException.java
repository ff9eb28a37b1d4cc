package dev.punchd.transport;

import java.io.IOException;

/**
 * The peer nominated with another punchd wire protocol version than this side speaks: one side runs sessions
 * and the other does not ({@code --resume-window}), or the peer runs a punchd release with version 2 sessions.
 * Immutable.
 */
public final class ProtocolVersionException extends IOException {
  private static final long serialVersionUID = 1L;

  ProtocolVersionException(int peerVersion, int ownVersion) {
    super("peer speaks punchd wire protocol version " + peerVersion + ", this side " + ownVersion
        + advice(peerVersion, ownVersion));
  }

  private static String advice(int peerVersion, int ownVersion) {
    if (peerVersion == 2 || ownVersion == 2) {
      return ": version 2 is the session of an earlier punchd release; run the same release on both peers";
    }
    if (peerVersion == SecureLink.PROTOCOL_VERSION_SESSIONS || ownVersion == SecureLink.PROTOCOL_VERSION_SESSIONS) {
      return ": version " + SecureLink.PROTOCOL_VERSION_SESSIONS + " is a session, so one peer runs sessions and the "
          + "other does not; both must have --resume-window above 0 (the default, 20s) or both --resume-window 0";
    }
    return "";
  }
}
