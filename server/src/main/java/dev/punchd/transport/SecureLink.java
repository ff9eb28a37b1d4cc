package dev.punchd.transport;

import com.google.protobuf.ByteString;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * punchd's framing inside an authenticated TLS session (DESIGN section 4, with the frames of
 * {@code docs/wire-protocol.md}): a NOMINATE frame picks the connection, DATA frames carry the stream,
 * FIN half-closes, CLOSE ends the connection with a reason, PING keeps an idle path alive. One reader and
 * one writer thread may work at once; {@link #abort} and {@link #close} may be called from any thread and
 * never wait for the TLS socket's write lock longer than {@link #CLOSE_LINGER_SECONDS}: a writer blocked by a
 * peer that does not read holds that lock, so closing then closes the TCP socket under it without close_notify.
 */
public final class SecureLink extends SocketLink {
  static final int NOMINATE = 1;
  static final int DATA = 2;
  static final int FIN = 3;
  static final int CLOSE = 4;
  static final int PING = 5;
  /** The stream is the application's bytes. */
  public static final int PROTOCOL_VERSION = 1;
  /**
   * The stream is a session ({@code dev.punchd.session}); a version 1 peer cannot read it, nor it version 1.
   * (Version 2 was a session whose first path waited for both sides' OPEN, one round trip more.)
   */
  public static final int PROTOCOL_VERSION_SESSIONS = 3;
  private static final int HEADER = 5;
  /** One frame fills one TLS record (16 KiB). */
  private static final int MAX_FRAME_PAYLOAD = 16 * 1024 - HEADER;
  private static final int FRAME = HEADER + MAX_FRAME_PAYLOAD;
  /** DATA frames sent together at most: a 64 KiB chunk in one send. */
  static final int FRAMES_PER_SEND = 4;
  private static final int MAX_CONTROL_PAYLOAD = 1024;
  /** Heap the frame buffer takes at most (once the link has carried bulk traffic; with a held NOMINATE in front). */
  public static final int FRAME_HEAP = FRAMES_PER_SEND * FRAME + HEADER + MAX_CONTROL_PAYLOAD;
  private static final long ABORT_WAIT_MILLIS = 1000;
  /** How long closing may wait to send TLS close_notify behind a blocked writer before the TCP socket goes. */
  static final int CLOSE_LINGER_SECONDS = 1;
  private static final byte[] EMPTY = new byte[0];

  private final DataInputStream in;
  private final OutputStream out;
  private final ReentrantLock writeLock = new ReentrantLock();
  private byte[] frames; // guarded by writeLock: DATA frames, one at first (idle links allocate none), grown for bulk
  private byte[] held; // guarded by writeLock: a session's NOMINATE frame, sent in front of the next write
  private int dataLeft; // reader thread only
  private boolean finished; // reader thread only
  private IOException pending; // reader thread only: what ended a readMore that had read bytes, thrown next
  private volatile long peerTimeoutMillis; // 0: no dead-peer detection

  /**
   * Wraps a socket whose TLS handshake (and peer authentication) has completed ({@code TlsSocket}): its input's
   * {@code available()} tells {@link #readMore} what has arrived, and each write of its output leaves in one send.
   */
  public SecureLink(Socket authenticated) throws IOException {
    super(authenticated);
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * What a NOMINATE says of the stream that follows it: the protocol version and, for a session, whether the
   * path opens the session (OPEN follows) or joins it (HELLO follows). The controlling side does not wait for
   * the controlled one after a NOMINATE, so it may already nominate a later path (its standby attempt taking a
   * stale candidate of the first attempt) while the controlled side is still choosing the first: the path kind
   * keeps the controlled side's first attempt from keeping that one.
   */
  public enum Nominated {
    /** The application's bytes. */
    PLAIN(PROTOCOL_VERSION),
    /** The first path of a session. */
    OPENS_SESSION(PROTOCOL_VERSION_SESSIONS, 0),
    /** A later path of a session. */
    JOINS_SESSION(PROTOCOL_VERSION_SESSIONS, 1);

    private final byte[] payload;

    Nominated(int... payload) {
      this.payload = new byte[payload.length];
      for (int i = 0; i < payload.length; i++) {
        this.payload[i] = (byte) payload[i];
      }
    }

    int version() {
      return payload[0];
    }
  }

  /**
   * Controlling side: nominates this connection for {@code stream}. A session's first frame (OPEN, or HELLO on a
   * later path) always follows its NOMINATE, and the controlled side reads both before it is Established: so a
   * session's NOMINATE is held and leaves in front of the next write, in the same TLS record, instead of in a
   * record of its own that the peer must wait for the next one after. A plain stream's leaves at once.
   */
  public void sendNomination(Nominated stream) throws IOException {
    if (stream == Nominated.PLAIN) {
      writeFrame(NOMINATE, stream.payload, 0, stream.payload.length);
      return;
    }
    writeLock.lock();
    try {
      held = controlFrame(NOMINATE, stream.payload, 0, stream.payload.length);
    } finally {
      writeLock.unlock();
    }
  }

  /** Controlled side, as {@link #awaitNomination(int, Nominated)} for a plain stream. */
  public boolean awaitNomination(int timeoutMillis) throws IOException {
    return awaitNomination(timeoutMillis, Nominated.PLAIN);
  }

  /**
   * Controlled side: waits up to {@code timeoutMillis} for the peer to nominate this connection for {@code
   * expected}.
   *
   * @return false when the peer closed this connection instead (it nominated another), or nominated it as the
   *     other path kind of a session (not one this attempt can keep)
   * @throws IOException on a timeout, a protocol error or another protocol version
   */
  public boolean awaitNomination(int timeoutMillis, Nominated expected) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    try {
      int type = in.read();
      if (type == -1) {
        return false;
      }
      int length = in.readInt();
      if (type != NOMINATE || length < 1 || length > MAX_CONTROL_PAYLOAD) {
        throw new IOException("protocol error: expected NOMINATE, got frame type " + type + " of " + length + " bytes");
      }
      byte[] payload = in.readNBytes(length);
      if (payload.length < length) {
        return false;
      }
      if (payload[0] != expected.version()) {
        throw new ProtocolVersionException(payload[0], expected.version());
      }
      if (length != expected.payload.length) {
        throw new IOException("protocol error: NOMINATE for version " + payload[0] + " has " + length
            + " bytes, expected " + expected.payload.length);
      }
      return Arrays.equals(payload, expected.payload);
    } catch (SocketTimeoutException e) {
      throw new SocketTimeoutException("peer did not nominate this connection within " + timeoutMillis + " ms");
    } finally {
      socket.setSoTimeout(0);
    }
  }

  /** Several TLS records: {@link #readMore} takes every DATA frame that has arrived, up to this. */
  @Override
  public int readSize() {
    return 64 * 1024;
  }

  /** PING after {@code interval} without writing (the caller's writer does that); a silent peer times reads out. */
  @Override
  public void keepAlive(Keepalive keepalive) throws IOException {
    peerTimeoutMillis = keepalive.peerTimeout().toMillis();
    socket.setSoTimeout(Math.toIntExact(peerTimeoutMillis));
  }

  @Override
  public void ping() throws IOException {
    writeFrame(PING, EMPTY, 0, 0);
  }

  @Override
  public int read(byte[] buffer) throws IOException {
    throwPending();
    try {
      while (dataLeft == 0) {
        if (finished) {
          return -1;
        }
        readFrameHeader();
      }
      return readPayload(buffer, 0);
    } catch (SocketTimeoutException e) {
      throw timedOut();
    }
  }

  /**
   * Further DATA frames, while their records have arrived; PINGs between them are skipped, FIN stops. A failure
   * (the peer's CLOSE, a protocol error) after some bytes were read here is thrown by the next call instead, so
   * those bytes are the caller's first.
   */
  @Override
  public int readMore(byte[] buffer, int offset) throws IOException {
    throwPending();
    int n = offset;
    try {
      while (n < buffer.length) {
        if (dataLeft > 0) {
          n += readPayload(buffer, n);
        } else if (finished || !arrived()) {
          break;
        } else {
          readFrameHeader();
        }
      }
    } catch (IOException e) {
      IOException failure = e instanceof SocketTimeoutException ? timedOut() : e;
      if (n == offset) {
        throw failure;
      }
      pending = failure;
    }
    return n - offset;
  }

  private void throwPending() throws IOException {
    IOException failure = pending;
    if (failure != null) {
      pending = null;
      throw failure;
    }
  }

  /** True when a whole TLS record has arrived (or decrypted bytes wait). */
  private boolean arrived() throws IOException {
    return in.available() > 0;
  }

  private SocketTimeoutException timedOut() {
    return new SocketTimeoutException("the peer sent nothing (not even a keepalive) for " + peerTimeoutMillis
        + " ms: it is gone or the path to it is broken");
  }

  /** Reads a frame header and acts on it: DATA sets {@code dataLeft}, FIN {@code finished}, CLOSE throws. */
  private void readFrameHeader() throws IOException {
    int type = in.read();
    if (type == -1) {
      throw new EOFException("connection ended without FIN or CLOSE (truncated)");
    }
    int length = in.readInt();
    switch (type) {
      case DATA -> dataLeft = checkLength(length, MAX_FRAME_PAYLOAD, type);
      case FIN -> {
        checkLength(length, 0, type);
        finished = true;
      }
      case CLOSE -> throw readClose(checkLength(length, MAX_CONTROL_PAYLOAD, type));
      case PING -> checkLength(length, 0, type);
      default -> throw new IOException("protocol error: unexpected frame type " + type);
    }
  }

  /**
   * The rest of the current DATA frame, or as much as fits: the peer sent it whole, so a frame that spans two
   * TLS records is not cut into a read of a few bytes.
   */
  private int readPayload(byte[] buffer, int offset) throws IOException {
    int want = Math.min(buffer.length - offset, dataLeft);
    int n = in.readNBytes(buffer, offset, want);
    if (n < want) {
      throw new EOFException("connection ended inside a DATA frame (truncated)");
    }
    dataLeft -= n;
    return n;
  }

  /** After the peer's FIN only PING and CLOSE may come; a finished peer stops pinging, so no timeout. */
  @Override
  public void awaitPeerClose() throws IOException {
    socket.setSoTimeout(0);
    while (true) {
      int type = in.read();
      if (type == -1) {
        return;
      }
      int length = in.readInt();
      switch (type) {
        case PING -> checkLength(length, 0, type);
        case CLOSE -> throw readClose(checkLength(length, MAX_CONTROL_PAYLOAD, type));
        default -> throw new IOException("protocol error: frame type " + type + " after FIN");
      }
    }
  }

  private PeerClosedException readClose(int length) throws IOException {
    byte[] payload = in.readNBytes(length);
    if (payload.length == 0) {
      return new PeerClosedException(PeerCloseReason.ERROR, "");
    }
    String message = new String(payload, 1, payload.length - 1, StandardCharsets.UTF_8);
    return new PeerClosedException(PeerCloseReason.fromCode(payload[0]), message);
  }

  private static int checkLength(int length, int max, int type) throws IOException {
    if (length < 0 || length > max) {
      throw new IOException("protocol error: frame type " + type + " with length " + length);
    }
    return length;
  }

  /**
   * One DATA frame, and so one TLS record, per 16,379 bytes; the chunk is copied once, into the frames, and up
   * to {@value #FRAMES_PER_SEND} frames leave in one write (one send).
   */
  @Override
  public void write(ByteString data) throws IOException {
    writeLock.lock();
    try {
      if (data.isEmpty()) {
        sendHeld();
      }
      for (int done = 0; done < data.size(); ) {
        int end = Math.min(data.size(), done + FRAMES_PER_SEND * MAX_FRAME_PAYLOAD);
        int length = 0;
        if (held != null) {
          System.arraycopy(held, 0, framesFor(held.length), 0, held.length);
          length = held.length;
          held = null;
        }
        for (int from = done; from < end; from += MAX_FRAME_PAYLOAD) {
          int chunk = Math.min(MAX_FRAME_PAYLOAD, end - from);
          byte[] buffer = framesFor(length + HEADER + chunk);
          data.copyTo(buffer, from, length + HEADER, chunk);
          putHeader(buffer, length, DATA, chunk);
          length += HEADER + chunk;
        }
        out.write(frames, 0, length);
        out.flush();
        done = end;
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** The frame buffer, grown to {@code bytes} (one frame, or a send's worth). */
  private byte[] framesFor(int bytes) {
    if (frames == null || frames.length < bytes) {
      frames = frames == null ? new byte[Math.max(bytes, FRAME)] : Arrays.copyOf(frames, Math.max(bytes, FRAME_HEAP));
    }
    return frames;
  }

  @Override
  public void finishOutput() throws IOException {
    writeFrame(FIN, EMPTY, 0, 0);
  }


  /** A control frame (small: NOMINATE, FIN, CLOSE, PING), in an array of its own. */
  private void writeFrame(int type, byte[] payload, int offset, int length) throws IOException {
    byte[] control = controlFrame(type, payload, offset, length);
    writeLock.lock();
    try {
      if (held != null) {
        byte[] both = Arrays.copyOf(held, held.length + control.length);
        System.arraycopy(control, 0, both, held.length, control.length);
        held = null;
        control = both;
      }
      out.write(control);
      out.flush();
    } finally {
      writeLock.unlock();
    }
  }

  /** Sends the held NOMINATE alone, if any. */
  private void sendHeld() throws IOException {
    if (held != null) {
      byte[] nomination = held;
      held = null;
      out.write(nomination);
    }
  }

  private static byte[] controlFrame(int type, byte[] payload, int offset, int length) {
    byte[] control = new byte[HEADER + length];
    System.arraycopy(payload, offset, control, HEADER, length);
    putHeader(control, 0, type, length);
    return control;
  }

  private static void putHeader(byte[] buffer, int at, int type, int length) {
    buffer[at] = (byte) type;
    buffer[at + 1] = (byte) (length >>> 24);
    buffer[at + 2] = (byte) (length >>> 16);
    buffer[at + 3] = (byte) (length >>> 8);
    buffer[at + 4] = (byte) length;
  }

  /**
   * Sends CLOSE with the reason when the writer is free and the peer takes it within a second, then closes;
   * a writer blocked by a peer that does not read cannot hold this up.
   */
  @Override
  public void abort(PeerCloseReason reason, String message) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[1 + Math.min(text.length, MAX_CONTROL_PAYLOAD - 1)];
    payload[0] = (byte) reason.code();
    System.arraycopy(text, 0, payload, 1, payload.length - 1);
    Thread sender = Thread.ofVirtual().start(() -> {
      try {
        if (writeLock.tryLock(ABORT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          try {
            writeFrame(CLOSE, payload, 0, payload.length);
          } finally {
            writeLock.unlock();
          }
        }
      } catch (IOException | InterruptedException ignored) {
        // the peer will see the connection end without a reason
      }
    });
    boolean sent = false;
    try {
      sent = sender.join(Duration.ofMillis(ABORT_WAIT_MILLIS * 2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // A CLOSE stuck behind a full window is not worth a clean TLS close: reset, which also frees the sender.
    closeWithLinger(sent ? CLOSE_LINGER_SECONDS : 0);
  }

  /**
   * With SO_LINGER set, the TLS socket waits at most that long for its write lock to send close_notify, then
   * closes the TCP socket under the blocked writer.
   */
  @Override
  public void close() {
    closeWithLinger(CLOSE_LINGER_SECONDS);
  }
}
