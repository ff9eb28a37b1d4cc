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
  private IOException pending; // what ended a readMore that had delivered bytes, thrown by the next read

  SessionReader(SessionLink session) {
    this.session = session;
  }

  int read(byte[] buffer) throws IOException {
    throwPending();
    return peerFinished ? -1 : readFrames(buffer, false);
  }

  /**
   * After a read: the DATA of every further frame that has arrived on the current path, into {@code buffer} from
   * {@code offset} (ACKs and SYNC among them are handled); 0 when none has, or at the peer's FIN (the next read
   * returns -1). A failure after some bytes is thrown by the next read; a broken path is reported to the session
   * and the next read waits for the one that replaces it.
   */
  int readMore(byte[] buffer, int offset) throws IOException {
    throwPending();
    SessionFrames.Reader current = reader;
    if (current == null || current != session.liveReader()) {
      return 0; // the path changed or broke: read takes it from here
    }
    int n = offset;
    try {
      while (n < buffer.length && !peerFinished && skip == 0) {
        if (dataLeft > 0) {
          int got = current.readPayload(buffer, n, dataLeft);
          dataLeft -= got;
          session.delivered(got);
          n += got;
        } else if (!current.arrived()) {
          break;
        } else {
          frame(current, current.type());
        }
      }
    } catch (PeerClosedException | SessionProtocolException e) {
      keep(e, n == offset);
    } catch (IOException e) {
      try {
        session.pathFailed(current, e);
      } catch (IOException over) {
        keep(over, n == offset);
      }
    }
    return n - offset;
  }

  private void keep(IOException failure, boolean nothingRead) throws IOException {
    if (nothingRead) {
      throw failure;
    }
    pending = failure;
  }

  private void throwPending() throws IOException {
    IOException failure = pending;
    if (failure != null) {
      pending = null;
      throw failure;
    }
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
          int n = current.readPayload(buffer, 0, skip > 0 ? (int) Math.min(skip, dataLeft) : dataLeft);
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
        if (frame(current, current.type())) {
          return -1;
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

  /** Acts on a frame's header (DATA: its payload is next); true at the peer's (first) FIN. */
  private boolean frame(SessionFrames.Reader current, int type) throws IOException {
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
          return true;
        }
      }
      default -> throw new SessionProtocolException("unexpected session frame type " + type);
    }
    return false;
  }
}
