package dev.punchd.transport;

import java.io.IOException;

/**
 * The peer nominated with another punchd wire protocol version than this side speaks: today that means one
 * side runs sessions and the other does not ({@code --resume-window}). Immutable.
 */
public final class ProtocolVersionException extends IOException {
  private static final long serialVersionUID = 1L;

  ProtocolVersionException(int peerVersion, int ownVersion) {
    super("peer speaks punchd wire protocol version " + peerVersion + ", this side " + ownVersion
        + (peerVersion == SecureLink.PROTOCOL_VERSION_SESSIONS || ownVersion == SecureLink.PROTOCOL_VERSION_SESSIONS
            ? ": version 2 is a session, so one peer runs sessions and the other does not; both must have "
                + "--resume-window above 0 (the default, 20s) or both --resume-window 0"
            : ""));
  }
}
