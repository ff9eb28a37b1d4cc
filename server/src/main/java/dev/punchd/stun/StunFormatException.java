package dev.punchd.stun;

import java.io.IOException;

/** Bytes that are not a well-formed STUN message (or attribute) of the kind expected. */
public final class StunFormatException extends IOException {
  public StunFormatException(String message) {
    super(message);
  }
}
