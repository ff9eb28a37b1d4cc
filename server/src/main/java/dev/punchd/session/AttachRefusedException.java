package dev.punchd.session;

import java.io.IOException;

/** A new path's ATTACH was refused: unknown session, wrong key, or a replayed or stale proof. Immutable. */
public final class AttachRefusedException extends IOException {
  AttachRefusedException(String message) {
    super(message);
  }
}
