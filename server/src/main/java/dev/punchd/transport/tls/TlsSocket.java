package dev.punchd.transport.tls;

import dev.punchd.transport.DelegatingSocket;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * A connected socket secured by an {@link SSLEngine} (BoringSSL where available, see {@link TlsEngines}): its
 * streams carry the application's bytes, TLS records go over the connected socket. A read takes every record
 * that has arrived, up to {@value #BATCH} bytes, in one system call and decrypts from that buffer; a write
 * encrypts all it is given (several records) and sends them in one system call.
 *
 * <p>Buffers start small ({@value #INITIAL} bytes each) and grow only when traffic needs it (records read: to a
 * batch once a read fills the buffer; decrypted bytes: to one record; records written: to a send's worth), so
 * an idle connection holds about 12 KiB here and a busy one at most {@link #HEAP}.
 *
 * <p>Closing: {@link #close} sends close_notify when the writer is free within the socket's SO_LINGER (not at
 * all with SO_LINGER 0, a reset), then closes the connected socket, which also ends a write blocked by a peer
 * that does not read. There is no TLS half-close: a peer's close_notify ends our input, and BoringSSL then
 * refuses further writes (punchd's links half-close with frames of their own).
 *
 * <p>Thread-safety: one thread reads at a time and any number write (writes are serialised); {@link #close}
 * may be called from any thread. The handshake runs before the socket is shared.
 */
public final class TlsSocket extends DelegatingSocket {
  /** Bytes of records a read takes from the connected socket at once, at most (with one record's room). */
  static final int BATCH = 64 * 1024;
  /** Each buffer's first size: a handshake flight fits. */
  static final int INITIAL = 4 * 1024;
  /**
   * Room for one record, or one record's plaintext: a TLS 1.3 record is at most 5 + 16,384 + 256 bytes on the
   * wire, and neither engine asks for more than 16,709 bytes of buffer (SunJSSE's packet size).
   */
  static final int RECORD_ROOM = 20 * 1024;
  private static final int MAX_PLAINTEXT = 16 * 1024;
  /** TLS 1.3 record overhead with AES-GCM or ChaCha20-Poly1305: header, content type, tag. */
  private static final int RECORD_OVERHEAD = 5 + 1 + 16;
  /** Bytes of records gathered for one send, at most. */
  private static final int MAX_OUT = BATCH + RECORD_ROOM;
  /** Heap this socket's buffers take at most: a batch of records read, one decrypted, a send's worth. */
  public static final int HEAP = BATCH + RECORD_ROOM + RECORD_ROOM + MAX_OUT;
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
  private static final byte ALERT_RECORD = 21;
  private static final byte CLOSE_NOTIFY = 0;
  private static final byte USER_CANCELED = 90;

  private final SSLEngine engine;
  private final InputStream rawIn;
  private final OutputStream rawOut;
  private final Runnable release;
  private final In in = new In();
  private final Out out = new Out();
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Object closeLock = new Object();
  private ByteBuffer netIn = ByteBuffer.allocate(INITIAL); // reader: records received, ready to be filled
  private ByteBuffer appIn = ByteBuffer.allocate(INITIAL).flip(); // reader: decrypted, ready to be read
  private boolean inputDone; // reader
  private ByteBuffer netOut = ByteBuffer.allocate(INITIAL); // guarded by writeLock
  private boolean closed; // guarded by closeLock

  /**
   * Does no I/O and cannot fail, so whoever made {@code engine} hands its release over here at once.
   *
   * @param connected the TCP socket, closed with this one
   * @param recordsIn what records are read from (the connected socket's input, or the hello check in front of it)
   * @param recordsOut the connected socket's output
   * @param release run once when this socket closes: frees what the engine holds
   */
  TlsSocket(Socket connected, InputStream recordsIn, OutputStream recordsOut, SSLEngine engine, Runnable release) {
    super(connected);
    this.engine = engine;
    this.rawIn = recordsIn;
    this.rawOut = recordsOut;
    this.release = release;
  }

  /** Runs the handshake to its end on the calling thread. */
  void handshake() throws IOException {
    engine.beginHandshake();
    while (true) {
      switch (engine.getHandshakeStatus()) {
        case NEED_WRAP -> wrapAndSend(NOTHING);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapHandshake();
        case NEED_TASK -> runTasks();
        case FINISHED, NOT_HANDSHAKING -> {
          return;
        }
      }
    }
  }

  /**
   * One step of the peer's flight: unwraps what has arrived (even nothing: after a delegated task, BoringSSL
   * goes on in an unwrap), and reads more when that made no progress.
   */
  private void unwrapHandshake() throws IOException {
    requireNotCancelled();
    SSLEngineResult result = unwrap();
    switch (result.getStatus()) {
      case CLOSED -> throw closedDuringHandshake();
      case BUFFER_OVERFLOW -> appIn = grow(appIn.compact(), applicationBufferSize()).flip();
      case OK, BUFFER_UNDERFLOW -> {
        if (result.bytesConsumed() > 0 || result.bytesProduced() > 0
            || result.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
          return;
        }
        readOrFail(); // the record is not whole yet (readRecords keeps room for it)
      }
    }
  }

  /**
   * A peer that abandons the handshake early sends user_canceled or close_notify in a plaintext alert record
   * (SunJSSE does), which BoringSSL reports as a generic handshake failure: this reports it as the peer closing.
   */
  private void requireNotCancelled() throws EOFException {
    if (netIn.position() >= 7 && netIn.get(0) == ALERT_RECORD && netIn.get(3) == 0 && netIn.get(4) == 2) {
      byte description = netIn.get(6);
      if (description == USER_CANCELED || description == CLOSE_NOTIFY) {
        throw new EOFException("peer cancelled the TLS handshake ("
            + (description == USER_CANCELED ? "user_canceled" : "close_notify") + ")");
      }
    }
  }

  private void readOrFail() throws IOException {
    if (!readRecords()) {
      throw closedDuringHandshake();
    }
  }

  private static EOFException closedDuringHandshake() {
    return new EOFException("peer closed the connection during the TLS handshake");
  }

  /** The TLS session: protocol, cipher suite, the peer's certificate as the handshake checked it. */
  public SSLSession session() {
    return engine.getSession();
  }

  /** Heap bytes the buffers hold now (for tests of the memory bound). */
  int bufferBytes() {
    writeLock.lock();
    try {
      return netIn.capacity() + appIn.capacity() + netOut.capacity();
    } finally {
      writeLock.unlock();
    }
  }

  /** True on the TLS client's side. */
  public boolean isClient() {
    return engine.getUseClientMode();
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() {
    return out;
  }

  @Override
  public void shutdownOutput() throws SocketException {
    throw new SocketException("TLS half-close is not supported: close the socket");
  }

  /**
   * Decrypts into {@code appIn} until it holds bytes or the peer's close_notify has come ({@code inputDone}),
   * reading from the socket when {@code block}, or else only what is waiting there.
   *
   * @return false when the connection ended without close_notify
   */
  private boolean decrypt(boolean block) throws IOException {
    while (true) {
      if (netIn.position() > 0) {
        SSLEngineResult result = unwrap();
        switch (result.getStatus()) {
          case CLOSED -> {
            inputDone = true;
            return true;
          }
          case BUFFER_OVERFLOW -> {
            appIn = grow(appIn.compact(), applicationBufferSize()).flip();
            continue;
          }
          case OK, BUFFER_UNDERFLOW -> {
            if (result.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
              sendEngineReply();
            }
            if (result.bytesProduced() > 0) {
              return true;
            }
            if (result.bytesConsumed() > 0) {
              continue; // a record with nothing for the application (a session ticket)
            }
          }
        }
      }
      if (!block && rawIn.available() == 0) {
        return true;
      }
      if (!readRecords()) {
        return false;
      }
    }
  }

  /**
   * Sends what the engine asked to send after a record: BoringSSL reports a record that failed (a bad MAC, a
   * protocol error) so, and this then throws that failure, named as TLS does (a post-handshake message's
   * answer would just be sent).
   */
  private void sendEngineReply() throws IOException {
    try {
      wrapAndSend(NOTHING);
    } catch (SSLException e) {
      if (String.valueOf(e.getMessage()).contains("BAD_DECRYPT")) {
        throw new SSLException("a TLS record failed authentication (bad_record_mac): bytes were altered in flight",
            e);
      }
      throw e;
    }
  }

  private int applicationBufferSize() {
    return Math.max(engine.getSession().getApplicationBufferSize(), appIn.capacity() * 2);
  }

  private SSLEngineResult unwrap() throws IOException {
    netIn.flip();
    appIn.compact();
    try {
      SSLEngineResult result = engine.unwrap(netIn, appIn);
      runTasks();
      return result;
    } finally {
      appIn.flip();
      netIn.compact();
    }
  }

  /**
   * Reads what has arrived into {@code netIn}; false at EOF. A read that fills the buffer means more is waiting,
   * so the buffer grows to a batch for the next one (found without asking the socket what is waiting, a system
   * call per read).
   */
  private boolean readRecords() throws IOException {
    int n = rawIn.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
    if (n < 0) {
      return false;
    }
    netIn.position(netIn.position() + n);
    if (!netIn.hasRemaining() && netIn.capacity() < BATCH + RECORD_ROOM) {
      netIn = grow(netIn, BATCH + RECORD_ROOM);
    }
    return true;
  }

  /**
   * Encrypts all of {@code src} and sends the records, in sends of at most {@value #MAX_OUT} bytes. With
   * nothing to encrypt it flushes what the engine has to say (a handshake flight, close_notify, an alert), and
   * throws the engine's pending failure once that is sent.
   */
  private void wrapAndSend(ByteBuffer src) throws IOException {
    writeLock.lock();
    try {
      boolean flush = !src.hasRemaining();
      int records = (src.remaining() + MAX_PLAINTEXT - 1) / MAX_PLAINTEXT;
      if (netOut.capacity() < MAX_OUT && records > 1) {
        netOut = ByteBuffer.allocate(Math.min(MAX_OUT, src.remaining() + records * RECORD_OVERHEAD));
      }
      SSLEngineResult result;
      do {
        result = engine.wrap(src, netOut);
        runTasks();
        if (result.getStatus() == Status.BUFFER_OVERFLOW) {
          if (netOut.position() > 0) {
            send();
          } else {
            netOut = grow(netOut, Math.max(engine.getSession().getPacketBufferSize(), netOut.capacity() * 2));
          }
        } else if (result.getStatus() == Status.CLOSED) {
          send();
          if (src.hasRemaining()) {
            throw new SocketException("TLS output closed (the connection is closing)");
          }
          return;
        }
      } while (src.hasRemaining() || result.getStatus() == Status.BUFFER_OVERFLOW
          || (flush && result.bytesProduced() > 0));
      send();
    } finally {
      writeLock.unlock();
    }
  }

  private void send() throws IOException {
    if (netOut.position() > 0) {
      rawOut.write(netOut.array(), netOut.arrayOffset(), netOut.position());
      netOut.clear();
    }
  }

  private void runTasks() {
    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
      task.run();
    }
  }

  /** {@code buffer} (in fill mode) with at least {@code capacity}, its content kept. */
  private static ByteBuffer grow(ByteBuffer buffer, int capacity) {
    if (buffer.capacity() >= capacity) {
      return buffer;
    }
    return ByteBuffer.allocate(capacity).put(buffer.flip());
  }

  /**
   * Sends close_notify if the writer is free within SO_LINGER (skipped with SO_LINGER 0), then closes the
   * connected socket (ending a blocked write) and frees the engine. Idempotent.
   */
  @Override
  public void close() throws IOException {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      int linger = connected.getSoLinger(); // -1: off, wait as for 1 s
      if (linger != 0) {
        sendCloseNotifyWithin(Duration.ofSeconds(Math.max(linger, 1)));
      }
    } finally {
      try {
        connected.close(); // also ends a close_notify still blocked in its send
      } finally {
        release.run();
      }
    }
  }

  /**
   * Sends close_notify if the writer is free and the send completes within {@code bound}: a peer that does not
   * read can block the send itself once the socket's send buffer is full, so it runs on a thread of its own.
   */
  private void sendCloseNotifyWithin(Duration bound) {
    Thread sender = Thread.ofVirtual().name("tls-close-notify").start(() -> {
      try {
        if (writeLock.tryLock(bound.toMillis(), TimeUnit.MILLISECONDS)) {
          try {
            engine.closeOutbound();
            wrapAndSend(NOTHING);
          } finally {
            writeLock.unlock();
          }
        }
      } catch (IOException | InterruptedException e) {
        // closing anyway: the peer sees the connection end without close_notify
      }
    });
    try {
      sender.join(bound);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Decrypted bytes. */
  private final class In extends InputStream {
    @Override
    public int read() throws IOException {
      return hasDecrypted() ? appIn.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (!hasDecrypted()) {
        return -1;
      }
      int n = Math.min(len, appIn.remaining());
      appIn.get(b, off, n);
      return n;
    }

    /** Waits until decrypted bytes wait in {@code appIn}; false once the peer's close_notify has come. */
    private boolean hasDecrypted() throws IOException {
      while (!appIn.hasRemaining()) {
        if (inputDone) {
          return false;
        }
        if (!decrypt(true)) {
          throw new EOFException("connection ended without TLS close_notify (truncated)");
        }
      }
      return true;
    }

    /** Decrypts the records that have arrived whole, without waiting for more. */
    @Override
    public int available() throws IOException {
      if (!appIn.hasRemaining() && !inputDone) {
        decrypt(false);
      }
      return appIn.remaining();
    }
  }

  /** Bytes to encrypt: each write leaves in as few sends as {@value #MAX_OUT} allows. */
  private final class Out extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      wrapAndSend(ByteBuffer.wrap(b, off, len));
    }
  }
}
