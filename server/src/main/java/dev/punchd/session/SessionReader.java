package dev.punchd.session;

import dev.punchd.transport.PeerClosedException;
import java.io.IOException;

/**
 * The reading half of a {@link SessionLink}: parses the current path's session frames, hands DATA to the
 * caller, skips what a resent stream repeats (after SYNC), passes ACKs to the sender side, and reports a
 * failing path to the session, then reads on from the path that replaces it. One reader thread only.
 */
final class SessionReader {
  private final SessionLink session;
  private SessionFrames.Reader reader;
  private int dataLeft;
  private long skip;
  private boolean peerFinished;

  SessionReader(SessionLink session) {
    this.session = session;
  }

  int read(byte[] buffer) throws IOException {
    return peerFinished ? -1 : readFrames(buffer, false);
  }

  void awaitPeerClose() throws IOException {
    byte[] scratch = new byte[SessionFrames.MAX_DATA];
    if (readFrames(scratch, true) != -1) {
      throw new SessionProtocolException("data after the peer's FIN");
    }
  }

  /** Bytes delivered, -1 at the peer's FIN (or, draining, when the path ends with nothing owed to the peer). */
  private int readFrames(byte[] buffer, boolean draining) throws IOException {
    while (true) {
      SessionFrames.Reader current = session.currentReader();
      if (current != reader) {
        reader = current;
        dataLeft = 0; // a frame cut off with its path is resent whole from the received offset
      }
      try {
        if (dataLeft > 0) {
          int n = current.readPayload(buffer, skip > 0 ? (int) Math.min(skip, dataLeft) : dataLeft);
          dataLeft -= n;
          if (skip > 0) {
            skip -= n; // already received on the old path
            continue;
          }
          if (peerFinished) {
            throw new SessionProtocolException("data after the peer's FIN");
          }
          session.delivered(n);
          return n;
        }
        int type = current.type();
        switch (type) {
          case SessionFrames.DATA -> dataLeft = current.length(type, SessionFrames.MAX_DATA);
          case SessionFrames.ACK -> {
            current.length(type, 8);
            session.acknowledged(current.readLong());
          }
          case SessionFrames.SYNC -> {
            current.length(type, 8);
            skip = session.resumeSkip(current.readLong());
          }
          case SessionFrames.FIN -> {
            current.length(type, 0);
            if (!peerFinished) {
              peerFinished = true;
              session.finArrived();
              return -1;
            }
          }
          default -> throw new SessionProtocolException("unexpected session frame type " + type);
        }
      } catch (PeerClosedException | SessionProtocolException e) {
        throw e;
      } catch (IOException e) {
        if (draining && session.ownFinAcknowledged()) {
          return -1;
        }
        session.pathFailed(current, e);
      }
    }
  }
}
