package dev.punchd.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connected socket a TLS link runs over, with TLS records batched into fewer system calls. SunJSSE reads
 * each record's 5-byte header and its body in separate reads, and writes and flushes every record (at most 16
 * KiB) on its own: up to eight reads and four writes per 64 KiB. Here a read that finds more waiting than it
 * asks for takes everything waiting (when that is more than {@value #MIN_BATCH} bytes; up to {@value #BATCH})
 * into a buffer that the next reads are served
 * from, and records written while {@link #holdWrites} holds are gathered (up to {@value #GATHER} bytes) and
 * sent with the first record written after {@link #releaseWrites}. Gathered bytes are only ever sent by a
 * write or flush of SunJSSE's, under its record lock: closing, which sends close_notify under that lock and
 * gives up on it after SO_LINGER, is never held up here by a writer blocked on a peer that does not read.
 * The buffers are allocated by the first read or held write that needs them, so a connection that carries no
 * bulk traffic holds neither.
 *
 * <p>Thread-safety: reads come from one thread at a time (SunJSSE reads under its own lock, and so does the
 * link's reader); writes, holds and releases may come from any thread; gathered records are sent in the
 * order SunJSSE delivered them.
 */
public final class BatchedSocket extends DelegatingSocket {
  /** Bytes a read takes at once. */
  static final int BATCH = 64 * 1024;
  /** Bytes of records gathered before they are sent, at most: 64 KiB of data and the records' overhead. */
  static final int GATHER = 80 * 1024;
  /**
   * Bytes that must be waiting, beyond what a read asks for, before it takes a batch: more than one record,
   * so a handshake's small flights (the hello with the ClientHello behind it) allocate no buffer.
   */
  static final int MIN_BATCH = 16 * 1024;
  /** Heap the two buffers take once allocated (kept for the connection's life). */
  public static final int HEAP = BATCH + GATHER;

  private final BatchedInput in;
  private final BatchedOutput out;

  public BatchedSocket(Socket connected) throws IOException {
    super(connected);
    this.in = new BatchedInput(connected.getInputStream());
    this.out = new BatchedOutput(connected.getOutputStream());
  }

  @Override
  public InputStream getInputStream() {
    return in;
  }

  @Override
  public OutputStream getOutputStream() {
    return out;
  }

  /**
   * Until the matching {@link #releaseWrites}, records are gathered instead of sent (a full batch is still
   * sent at once). Holds nest.
   */
  public void holdWrites() {
    out.holds.incrementAndGet();
  }

  /**
   * Ends a {@link #holdWrites}. Sends nothing itself: after the last release, the next record written sends
   * what was gathered with it, so the caller writes at least one record after releasing.
   */
  public void releaseWrites() {
    if (out.holds.decrementAndGet() < 0) {
      out.holds.incrementAndGet();
      throw new IllegalStateException("releaseWrites without holdWrites");
    }
  }

  /** Reads that take everything waiting when it is more than they ask for. Used by one thread at a time. */
  private static final class BatchedInput extends InputStream {
    private final InputStream raw;
    private byte[] buffer; // allocated by the first read that takes a batch
    private int position;
    private int limit;

    BatchedInput(InputStream raw) {
      this.raw = raw;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (position == limit) {
        int waiting = raw.available();
        if (waiting <= Math.max(len, MIN_BATCH)) {
          return raw.read(b, off, len); // one read takes it all (or waits), or too little to be worth a buffer
        }
        if (buffer == null) {
          buffer = new byte[BATCH];
        }
        int n = raw.read(buffer, 0, buffer.length); // more than len has arrived: does not wait
        if (n < 0) {
          return -1;
        }
        position = 0;
        limit = n;
      }
      int n = Math.min(len, limit - position);
      System.arraycopy(buffer, position, b, off, n);
      position += n;
      return n;
    }

    /** Bytes batched here, or else those waiting on the socket. */
    @Override
    public int available() throws IOException {
      return position < limit ? limit - position : raw.available();
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }
  }

  /** Writes sent at once, or gathered while held. Thread-safe. */
  private static final class BatchedOutput extends OutputStream {
    private final OutputStream raw;
    private final AtomicInteger holds = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private byte[] buffer; // guarded by lock; allocated by the first held write
    private int length; // guarded by lock

    BatchedOutput(OutputStream raw) {
      this.raw = raw;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      lock.lock();
      try {
        boolean held = holds.get() > 0;
        if (length + len > GATHER) {
          sendGathered();
        }
        if (len >= GATHER || (!held && length == 0)) {
          raw.write(b, off, len); // nothing gathered goes with it
          return;
        }
        if (buffer == null) {
          buffer = new byte[GATHER];
        }
        System.arraycopy(b, off, buffer, length, len);
        length += len;
        if (!held) {
          sendGathered(); // the gathered records and this one in one send
        }
      } finally {
        lock.unlock();
      }
    }

    /** While held, records stay gathered (SunJSSE flushes every one); otherwise sends what was gathered. */
    @Override
    public void flush() throws IOException {
      lock.lock();
      try {
        if (holds.get() == 0) {
          sendGathered();
          raw.flush();
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() throws IOException {
      raw.close();
    }

    private void sendGathered() throws IOException {
      if (length > 0) {
        int n = length;
        length = 0; // a failed send loses the batch with the connection
        raw.write(buffer, 0, n);
      }
    }
  }
}
