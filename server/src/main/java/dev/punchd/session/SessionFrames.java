package dev.punchd.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.punchd.transport.Link;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The session's frames inside one path's byte stream (in SECURE mode, inside the path's DATA frames): a type
 * byte, a 4-byte big-endian length, the payload. A frame with at most {@link #MAX_DATA} payload bytes is one
 * {@link Link#write} and so, over a SecureLink, one TLS record. {@link Reader}: one reader thread.
 */
final class SessionFrames {
  static final int DATA = 1;
  static final int ACK = 2;
  static final int FIN = 3;
  static final int HELLO = 4;
  static final int PROOF = 5;
  static final int OPEN = 6;
  static final int SYNC = 7;
  static final int HEADER = 5;
  /** A SecureLink DATA frame holds 16 KiB - 5; this frame's header takes 5 of those. */
  static final int MAX_DATA = 16 * 1024 - 5 - HEADER;
  static final int MAX_CONTROL = 64;

  private SessionFrames() {}

  static ByteString header(int type, int length) {
    byte[] h = {(byte) type, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    return UnsafeByteOperations.unsafeWrap(h);
  }

  static void write(Link path, int type, byte[] payload) throws IOException {
    path.write(header(type, payload.length).concat(UnsafeByteOperations.unsafeWrap(payload.clone())));
  }

  /** Reads frames from one path; a path that ends (-1) mid-session reads as {@link EOFException}. */
  static final class Reader {
    private final LinkInput input;
    private final DataInputStream in;

    Reader(Link path) {
      this.input = new LinkInput(path);
      this.in = new DataInputStream(input);
    }

    /** The next frame's type; its length follows with {@link #length}. */
    int type() throws IOException {
      return in.readUnsignedByte();
    }

    int length(int type, int max) throws IOException {
      int length = in.readInt();
      if (length < 0 || length > max) {
        throw new SessionProtocolException("session frame type " + type + " with length " + length
            + " (at most " + max + ")");
      }
      return length;
    }

    long readLong() throws IOException {
      return in.readLong();
    }

    byte[] readBytes(int n) throws IOException {
      byte[] b = new byte[n];
      in.readFully(b);
      return b;
    }

    /**
     * {@code max} payload bytes into {@code buffer} from {@code offset}, or as many as fit: the peer sent the
     * frame whole, so waiting for the rest of it keeps a frame one chunk however the path's reads cut it.
     */
    int readPayload(byte[] buffer, int offset, int max) throws IOException {
      int want = Math.min(max, buffer.length - offset);
      int n = in.readNBytes(buffer, offset, want);
      if (n < want) {
        throw new EOFException("path ended inside a session DATA frame");
      }
      return n;
    }

    /** True when bytes of a next frame have arrived, so reading its header does not wait for the peer. */
    boolean arrived() {
      return input.arrived();
    }
  }

  /**
   * A Link's reads as an InputStream. Its buffer starts at {@link #FIRST_READ} bytes, so an idle session's
   * blocked read holds little heap, and moves to the path's read size once a read fills it; each fill takes
   * every frame that has already arrived ({@link Link#readMore}), and a failure met after some bytes is thrown
   * once those are consumed.
   */
  private static final class LinkInput extends InputStream {
    /** Holds any control frame (at most {@link #MAX_CONTROL} bytes of payload): the pump has a buffer of its own. */
    static final int FIRST_READ = 256;

    private final Link path;
    private final int bulk;
    private byte[] buffer;
    private int position;
    private int limit;
    private IOException pending;
    private boolean started; // a read returned bytes: readMore may follow

    LinkInput(Link path) {
      this.path = path;
      this.bulk = Math.max(FIRST_READ, path.readSize());
      this.buffer = new byte[FIRST_READ];
    }

    @Override
    public int read() throws IOException {
      return fill() ? buffer[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, limit - position);
      System.arraycopy(buffer, position, b, off, n);
      position += n;
      return n;
    }

    private boolean fill() throws IOException {
      if (position < limit) {
        return true;
      }
      if (pending != null) {
        throw pending;
      }
      growIfBulk();
      int n = path.read(buffer);
      if (n < 0) {
        return false;
      }
      started = true;
      position = 0;
      limit = n + readArrived(n);
      return true;
    }

    /** Buffered bytes, or a fill from what has arrived on the path without waiting; a failure waits for read. */
    boolean arrived() {
      if (position < limit) {
        return true;
      }
      if (pending != null || !started) {
        return false; // a failure the next read throws, or no read yet
      }
      growIfBulk();
      int n = readArrived(0);
      position = 0;
      limit = n;
      return n > 0;
    }

    private void growIfBulk() {
      if (limit == buffer.length && buffer.length < bulk) {
        buffer = new byte[bulk]; // the last fill was full: bulk traffic
      }
    }

    /** What has arrived into the buffer from {@code from}: the bytes read; a failure is kept for the next fill. */
    private int readArrived(int from) {
      int n = from;
      try {
        int more;
        while (n < buffer.length && (more = path.readMore(buffer, n)) > 0) {
          n += more;
        }
      } catch (IOException e) {
        pending = e; // the bytes before it first
      }
      return n - from;
    }
  }
}
