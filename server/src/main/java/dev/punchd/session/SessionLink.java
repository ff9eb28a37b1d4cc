package dev.punchd.session;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.Link;
import dev.punchd.transport.PeerCloseReason;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SECURE connection's byte stream over a sequence of paths, seen by the data pipe as one {@link Link}.
 * DATA frames carry the stream (offsets are implicit: each path is ordered); the receiver sends a cumulative
 * ACK once a quarter of the path's send window is unacknowledged ({@link #ackEveryFor}; both sides' windows
 * follow the path's kind, so a quarter of its own is a quarter of the peer's) or {@link #ACK_DELAY} after data
 * arrived, from a virtual thread started only when an ACK is due (the delay runs on the sidecar's timer), so a
 * blocked writer never holds up the reader and an idle session parks no thread of its own; the sender keeps
 * what is unacknowledged, at most the retransmit capacity, which is also its send window (the writer waits
 * while it is full). FIN is offset {@code end + 1}, resent
 * like data. When a path breaks, the reader and the writer pause and the {@link PathListener} is told; a path
 * {@link #attach}ed within the resume window takes over, resending from the peer's received offset; after the
 * window both throw the path's failure. The peer's CLOSE and protocol errors end the session at once.
 *
 * <p>The reading half is {@link SessionReader}. Thread-safe: one reader and one writer thread, as {@link Link}
 * allows; {@link #attach}, {@link #abort} and {@link #close} from any thread. The lock guards the state; the write lock orders frames on a path (attach
 * resends under it before any newer frame).
 */
public final class SessionLink implements Link {
  /** Unacknowledged bytes after which an ACK leaves at once, at least (unless half the window is less). */
  static final int MIN_ACK_EVERY = 64 * 1024;
  /** DATA frames sent in one write to the path, at most (each fills one TLS record). */
  static final int FRAMES_PER_WRITE = 4;
  static final long ACK_DELAY = Duration.ofMillis(20).toNanos();
  private static final long CLOSE_ACK_WAIT_MILLIS = 1000;

  /** Told when a path broke and the session waits for another; called with no lock held. */
  public interface PathListener {
    void pathLost(IOException cause);
  }

  private final long resumeWindowNanos;
  private final PathListener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ScheduledExecutorService timer;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final RetransmitBuffer unacked; // guarded by lock
  private int window; // guarded by lock: unacknowledged bytes the writer may have out, at most the capacity
  private final SessionTicket ticket;
  private Link path; // guarded by lock
  private SessionFrames.Reader pathReader; // guarded by lock
  private long generation = 1; // guarded by lock: paths attached so far
  private boolean broken; // guarded by lock: the current path failed and no other is attached yet
  private long brokenAtNanos; // guarded by lock
  private IOException brokenBy; // guarded by lock
  private IOException failure; // guarded by lock: set once; the session is over
  private long received; // guarded by lock: bytes delivered, plus 1 once the peer's FIN arrived
  private long ackSent; // guarded by lock
  private long acked; // guarded by lock: the peer has received up to here (FIN included)
  private boolean finSent; // guarded by lock
  private boolean finReceived; // guarded by lock
  private Keepalive keepalive; // guarded by lock
  private Link lastPath; // guarded by lock: for the addresses once the session ended
  private ScheduledFuture<?> ackTimer; // guarded by lock: an ACK due after the delay
  private boolean ackSending; // guarded by lock: an ACK thread runs (and re-checks before it stops)
  private final SessionReader inbound = new SessionReader(this);

  /**
   * @param first the first path, after {@link PathBinder#open}
   * @param retransmitCapacity unacknowledged bytes kept at most (the send window)
   * @param timer runs the ACK delay (only starts a thread; never blocks)
   */
  public SessionLink(PathBinder.BoundPath first, int retransmitCapacity, Duration resumeWindow,
      PathListener listener, ScheduledExecutorService timer) {
    this.ticket = first.ticket;
    this.path = first.path;
    this.pathReader = first.reader;
    this.lastPath = first.path;
    this.unacked = new RetransmitBuffer(retransmitCapacity);
    this.window = retransmitCapacity;
    this.resumeWindowNanos = resumeWindow.toNanos();
    this.listener = listener;
    this.timer = timer;
  }

  public SessionTicket ticket() {
    return ticket;
  }

  /** The generation this side offers for its next path. */
  public long nextGeneration() {
    lock.lock();
    try {
      return generation + 1;
    } finally {
      lock.unlock();
    }
  }

  /** The offset this side has received up to (FIN counts one), for the next path's PROOF. */
  public long received() {
    lock.lock();
    try {
      return received;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Lets the writer have at most {@code bytes} unacknowledged (at least one frame, at most the capacity): a
   * path through a relay that queues without pushing back gets a small window, a direct one the whole. The
   * peer sets the same for the same path, and this side acknowledges by it too.
   */
  public void limitWindow(int bytes) {
    lock.lock();
    try {
      window = Math.max(SessionFrames.MAX_DATA, bytes);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Heap of the unacknowledged bytes held (payload and per-chunk overhead), for the memory account. */
  public long retained() {
    lock.lock();
    try {
      return unacked.heap();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves the session to {@code next}: resends what the peer has not received, then new frames follow. The
   * old path, if still up, is closed (this is how an upgrade drains).
   */
  public void attach(PathBinder.BoundPath next) throws IOException {
    Link old;
    writeLock.lock();
    try {
      List<ByteString> resend;
      long resendFrom;
      boolean resendFin;
      Keepalive keep;
      lock.lock();
      try {
        if (failure != null) {
          next.path.close();
          throw new IOException("session " + ticket.idHex() + " is over: " + failure.getMessage(), failure);
        }
        acknowledgeLocked(next.peerReceived);
        resendFrom = unacked.start();
        resend = unacked.from(resendFrom);
        resendFin = finSent && acked <= unacked.end();
        ackSent = Math.min(ackSent, next.ownReceived);
        old = broken ? null : path;
        path = next.path;
        lastPath = next.path;
        pathReader = next.reader;
        generation++;
        broken = false;
        brokenBy = null;
        keep = keepalive;
        changed.signalAll();
        if (received != ackSent) {
          ackDueLocked(false);
        }
      } finally {
        lock.unlock();
      }
      if (keep != null) {
        next.path.keepAlive(keep);
      }
      next.path.write(SessionFrames.header(SessionFrames.SYNC, 8)
          .concat(UnsafeByteOperations.unsafeWrap(ByteBuffer.allocate(8).putLong(resendFrom).array())));
      for (int from = 0; from < resend.size(); from += FRAMES_PER_WRITE) {
        next.path.write(dataFrames(resend.subList(from, Math.min(from + FRAMES_PER_WRITE, resend.size()))));
      }
      if (resendFin) {
        next.path.write(SessionFrames.header(SessionFrames.FIN, 0));
      }
    } catch (IOException e) {
      pathFailed(next.path, e);
      old = null;
    } finally {
      writeLock.unlock();
    }
    if (old != null) {
      old.close();
    }
  }

  /** Several session frames: {@link #readMore} takes every DATA frame that has arrived, up to this. */
  @Override
  public int readSize() {
    return 64 * 1024;
  }

  @Override
  public int read(byte[] buffer) throws IOException {
    return inbound.read(buffer);
  }

  @Override
  public int readMore(byte[] buffer, int offset) throws IOException {
    return inbound.readMore(buffer, offset);
  }

  /**
   * After the peer's FIN: its ACKs of this side's bytes still arrive (and, after a path change, repeats of what
   * was already received), until CLOSE or the path ends once this side's FIN is acknowledged.
   */
  @Override
  public void awaitPeerClose() throws IOException {
    inbound.awaitPeerClose();
  }

  @Override
  public void keepAlive(Keepalive keep) throws IOException {
    Link current;
    lock.lock();
    try {
      keepalive = keep;
      current = path;
    } finally {
      lock.unlock();
    }
    current.keepAlive(keep);
  }

  /** Pings the current path; a failure there pauses the session instead of ending it. */
  @Override
  public void ping() throws IOException {
    Link current = livePath();
    if (current != null) {
      try {
        current.ping();
      } catch (IOException e) {
        pathFailed(current, e);
      }
    }
  }

  /**
   * Queues each chunk for resending, waiting while the window is full, then sends it on the current path: the
   * chunks that fit the window at once (up to {@link #FRAMES_PER_WRITE}) in one write, so a TLS path sends
   * their records together.
   */
  @Override
  public void write(ByteString data) throws IOException {
    for (int done = 0; done < data.size(); ) {
      List<ByteString> chunks = new ArrayList<>();
      long gen;
      lock.lock();
      try {
        int n = Math.min(SessionFrames.MAX_DATA, data.size() - done);
        while (!unacked.fits(n, window) && failure == null) {
          changed.await();
        }
        throwIfOver();
        do {
          ByteString chunk = data.substring(done, done + n);
          unacked.add(chunk);
          chunks.add(chunk);
          done += n;
          n = Math.min(SessionFrames.MAX_DATA, data.size() - done);
        } while (n > 0 && chunks.size() < FRAMES_PER_WRITE && unacked.fits(n, window));
        gen = generation;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the peer's acknowledgement", e);
      } finally {
        lock.unlock();
      }
      sendDataIfCurrent(gen, chunks);
    }
  }

  /** Sends FIN and waits until the peer has it (and every byte before it), across path changes. */
  @Override
  public void finishOutput() throws IOException {
    long gen;
    long finOffset;
    lock.lock();
    try {
      throwIfOver();
      finSent = true;
      finOffset = unacked.end() + 1;
      gen = generation;
    } finally {
      lock.unlock();
    }
    sendIfCurrent(gen, SessionFrames.FIN, ByteString.EMPTY);
    lock.lock();
    try {
      while (acked < finOffset && failure == null) {
        changed.await();
      }
      throwIfOver();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the peer to acknowledge FIN", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void abort(PeerCloseReason reason, String message) {
    Link current = end(new IOException("session ended: " + message));
    if (current != null) {
      current.abort(reason, message);
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    return anyPath().localAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return anyPath().remoteAddress();
  }

  /**
   * Sends what this side has received as a last ACK (within a second), then closes: the peer, whose FIN is
   * among it, then knows its stream was delivered and does not take the path's end for a loss.
   */
  @Override
  public void close() {
    flushAcknowledgement();
    Link current = end(new IOException("session closed"));
    if (current != null) {
      current.close();
    }
  }

  private void flushAcknowledgement() {
    long value;
    Link current;
    lock.lock();
    try {
      if (failure != null || broken || received == ackSent) {
        return;
      }
      value = received;
      current = path;
    } finally {
      lock.unlock();
    }
    try {
      if (writeLock.tryLock(CLOSE_ACK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        try {
          current.write(ackFrame(value));
        } finally {
          writeLock.unlock();
        }
      }
    } catch (IOException e) {
      // the peer then resumes or reports the loss
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ByteString ackFrame(long offset) {
    return SessionFrames.header(SessionFrames.ACK, 8)
        .concat(UnsafeByteOperations.unsafeWrap(ByteBuffer.allocate(8).putLong(offset).array()));
  }

  private Link end(IOException why) {
    lock.lock();
    try {
      if (failure == null) {
        failure = why;
      }
      changed.signalAll();
      if (ackTimer != null) {
        ackTimer.cancel(false);
        ackTimer = null;
      }
      Link current = path;
      path = null;
      return current;
    } finally {
      lock.unlock();
    }
  }

  private Link anyPath() {
    lock.lock();
    try {
      return lastPath;
    } finally {
      lock.unlock();
    }
  }

  private void sendIfCurrent(long gen, int type, ByteString payload) throws IOException {
    sendIfCurrent(gen, SessionFrames.header(type, payload.size()).concat(payload));
  }

  private void sendDataIfCurrent(long gen, List<ByteString> chunks) throws IOException {
    sendIfCurrent(gen, dataFrames(chunks));
  }

  /** Writes {@code frames} on the current path if it is still the one of generation {@code gen}. */
  private void sendIfCurrent(long gen, ByteString frames) throws IOException {
    writeLock.lock();
    try {
      Link current;
      lock.lock();
      try {
        throwIfOver();
        current = gen == generation && !broken ? path : null;
      } finally {
        lock.unlock();
      }
      if (current == null) {
        return; // queued: the next path's attach resends it
      }
      try {
        current.write(frames);
      } catch (IOException e) {
        pathFailed(current, e);
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** DATA frames for {@code chunks}, joined without copying. */
  private static ByteString dataFrames(List<ByteString> chunks) {
    ByteString frames = ByteString.EMPTY;
    for (ByteString chunk : chunks) {
      frames = frames.concat(SessionFrames.header(SessionFrames.DATA, chunk.size())).concat(chunk);
    }
    return frames;
  }

  /** The current path's reader, waiting while none is attached; throws once the session is over. */
  SessionFrames.Reader currentReader() throws IOException {
    lock.lock();
    try {
      awaitPathLocked();
      return pathReader;
    } finally {
      lock.unlock();
    }
  }

  /** The current path's reader, or null while none is up; never waits. */
  SessionFrames.Reader liveReader() {
    lock.lock();
    try {
      return broken || failure != null ? null : pathReader;
    } finally {
      lock.unlock();
    }
  }

  private Link livePath() {
    lock.lock();
    try {
      return broken || failure != null ? null : path;
    } finally {
      lock.unlock();
    }
  }

  private void awaitPathLocked() throws IOException {
    try {
      while (broken && failure == null) {
        long left = brokenAtNanos + resumeWindowNanos - System.nanoTime();
        if (left <= 0) {
          failure = new IOException("no new path within the resume window of " + resumeWindowNanos / 1_000_000
              + " ms after the path broke: " + brokenBy.getMessage(), brokenBy);
          changed.signalAll();
          break;
        }
        changed.awaitNanos(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a new path", e);
    }
    throwIfOver();
  }

  private void throwIfOver() throws IOException {
    if (failure != null) {
      throw failure;
    }
  }

  /** The path (or its reader) failed: pause unless a newer path already took over. */
  void pathFailed(Object which, IOException cause) throws IOException {
    Link toClose;
    lock.lock();
    try {
      if (failure != null) {
        throw failure;
      }
      if (broken || (which != path && which != pathReader)) {
        return;
      }
      broken = true;
      brokenAtNanos = System.nanoTime();
      brokenBy = cause;
      toClose = path;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    toClose.reset(); // a FIN retransmitted toward a dead path would keep the address pair a new path needs
    listener.pathLost(cause);
  }

  /** Bytes of a resent stream starting at {@code offset} that were already received. */
  long resumeSkip(long offset) throws SessionProtocolException {
    lock.lock();
    try {
      long bytes = received - (finReceived ? 1 : 0);
      if (offset < 0 || offset > bytes) {
        throw new SessionProtocolException("peer resumes at offset " + offset + " but only " + bytes
            + " bytes were received: a gap");
      }
      return bytes - offset;
    } finally {
      lock.unlock();
    }
  }

  boolean ownFinAcknowledged() {
    lock.lock();
    try {
      return finSent && acked > unacked.end();
    } finally {
      lock.unlock();
    }
  }

  /** The peer's FIN counts one offset and is acknowledged at once. */
  void finArrived() {
    lock.lock();
    try {
      received++;
      finReceived = true;
      ackDueLocked(true);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A quarter of {@code window}, at least {@link #MIN_ACK_EVERY} but at most half: the peer, whose window is
   * alike, still has three quarters (a relayed path's half) to send while the ACK travels, and its writer wakes
   * once per quarter, not per 64 KiB (an ACK costs a thread start, a TLS record each way and that wake-up).
   */
  static int ackEveryFor(int window) {
    return Math.min(window / 2, Math.max(MIN_ACK_EVERY, window / 4));
  }

  /** An ACK is due {@link #ACK_DELAY} after the first bytes since the last ACK, at once after {@link #ackEveryFor}. */
  void delivered(int n) {
    lock.lock();
    try {
      long before = received - ackSent;
      received += n;
      if (received - ackSent >= ackEveryFor(window)) {
        ackDueLocked(true);
      } else if (before == 0) {
        ackDueLocked(false);
      }
    } finally {
      lock.unlock();
    }
  }

  void acknowledged(long offset) throws IOException {
    lock.lock();
    try {
      acknowledgeLocked(offset);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void acknowledgeLocked(long offset) throws SessionProtocolException {
    long limit = unacked.end() + (finSent ? 1 : 0);
    if (offset > limit) {
      throw new SessionProtocolException("peer acknowledged offset " + offset + " beyond the " + limit + " sent");
    }
    if (offset > acked) {
      acked = offset;
      unacked.acknowledge(Math.min(offset, unacked.end()));
    }
  }

  /**
   * Sends an ACK at once ({@code now}: an ACK thread is started) or after {@link #ACK_DELAY} (the timer starts
   * it then). Nothing while an ACK thread runs (it re-checks before it stops) or no path is up (attach asks
   * again). A spare ACK, from a timer that fired just as a thread started, is harmless.
   */
  private void ackDueLocked(boolean now) {
    if (ackSending || failure != null || broken) {
      return;
    }
    if (now) {
      if (ackTimer != null) {
        ackTimer.cancel(false);
        ackTimer = null;
      }
      startAckLocked();
    } else if (ackTimer == null) {
      try {
        ackTimer = timer.schedule(this::ackDelayPassed, ACK_DELAY, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        startAckLocked(); // the sidecar is stopping: acknowledge now rather than never
      }
    }
  }

  private void ackDelayPassed() {
    lock.lock();
    try {
      ackTimer = null;
      if (!ackSending && failure == null && !broken) {
        startAckLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  private void startAckLocked() {
    ackSending = true;
    Thread.ofVirtual().name("session-ack").start(this::sendAcks);
  }

  /**
   * Sends cumulative ACKs while one is due at once ({@link #ackEveryFor} unacknowledged, or the peer's FIN), then
   * stops, leaving the rest to the delay. Waits for the write lock here, never on the reader's thread.
   */
  private void sendAcks() {
    boolean again = true;
    try {
      while (again) {
        long value;
        long gen;
        Link current;
        lock.lock();
        try {
          if (failure != null || broken || received == ackSent) {
            ackSending = false;
            return;
          }
          value = received;
          gen = generation;
          current = path;
        } finally {
          lock.unlock();
        }
        sendIfCurrent(gen, SessionFrames.ACK,
            UnsafeByteOperations.unsafeWrap(ByteBuffer.allocate(8).putLong(value).array()));
        lock.lock();
        try {
          if (gen == generation && current == path) {
            ackSent = Math.max(ackSent, value);
          }
          again = received - ackSent >= ackEveryFor(window) || (finReceived && received != ackSent) || gen != generation;
          if (!again) {
            ackSending = false;
            if (received != ackSent) {
              ackDueLocked(false);
            }
          }
        } finally {
          lock.unlock();
        }
      }
    } catch (IOException e) {
      lock.lock(); // the session is over; the reader and writer report why
      try {
        ackSending = false;
      } finally {
        lock.unlock();
      }
    }
  }
}
