package dev.punchd.session;

import java.io.IOException;

/** The peer broke the session protocol on an authenticated path: the session ends, it does not resume. */
final class SessionProtocolException extends IOException {
  SessionProtocolException(String message) {
    super("session protocol error: " + message);
  }
}
