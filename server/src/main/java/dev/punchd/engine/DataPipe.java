package dev.punchd.engine;

import com.google.protobuf.ByteString;
import dev.punchd.transport.Abortable;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.Link;
import dev.punchd.transport.SecureLink;
import dev.punchd.transport.tls.TlsSocket;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's bytes between the application's {@link StreamSink} and the peer {@link Link}: a bounded
 * inbound queue that a {@link LinkPump} reader fills, an outbound queue that its writer drains (pinging when
 * it has been idle for the keepalive interval). It exists from allocation, so a Stream may attach before the
 * connection is established; bytes flow once {@link #start} is called.
 *
 * <p>Memory, in heap bytes whatever the peer's frame sizes: at most the receive capacity plus one read
 * buffer inbound, at most {@link #SEND_LIMIT} outbound. Bytes nobody can take any more (the connection
 * ended with no Stream attached, or its Stream left after the end) are dropped at once.
 *
 * <p>Thread-safe: all state is guarded by the owning connection's lock (so the connection's state and the
 * pipe's change together); sinks and the owner are called with no lock held.
 */
public final class DataPipe {
  private static final Logger log = LoggerFactory.getLogger(DataPipe.class);
  /** Outbound bytes the API lets wait before it stops asking the client for messages. */
  public static final int SEND_WINDOW = 256 * 1024;
  /** Outbound heap at most: the window plus one maximal message (a client that re-attaches cannot add more). */
  static final int SEND_LIMIT = SEND_WINDOW + EngineSettings.MAX_MESSAGE_BYTES + ChunkQueue.CHUNK_OVERHEAD;
  /** The largest read any link asks for ({@link Link#readSize()}): the inbound queue may overshoot by one. */
  static final int MAX_READ = 64 * 1024;
  /** Bytes the writer takes from the outbound queue at once, about (it already counts toward {@link #SEND_LIMIT}). */
  static final int WRITE_BATCH = 256 * 1024;
  /** Markers {@link #nextToWrite} returns besides data; compared by identity. */
  static final ByteString FINISH = ByteString.copyFrom(new byte[1]);
  static final ByteString PING = ByteString.copyFrom(new byte[1]);

  /** What the owning connection needs to hear from the pipe; called from pipe threads, no lock held. */
  interface Owner {
    void outputFinished();

    void inputFinished();

    void broken(IOException cause);
  }

  private final String connectionId;
  private final int receiveCapacity;
  private final Owner owner;
  private final EngineMetrics metrics;
  private final ReentrantLock lock;
  private final Condition inboundRoom;
  private final Condition outboundWork;
  private final ChunkQueue inbound = new ChunkQueue(); // guarded by lock
  private final ChunkQueue outbound = new ChunkQueue(); // guarded by lock
  private int writing; // guarded by lock: heap of the chunk the writer holds
  private boolean sendFinishing; // guarded by lock: the application half-closed
  private boolean peerFinished; // guarded by lock: the peer's FIN arrived
  private StreamSink sink; // guarded by lock
  private StreamEnd end; // guarded by lock: set once, when the connection ended
  private Thread streamThread; // guarded by lock: the thread that attached the Stream last
  private volatile Runnable outboundWaiting = () -> {}; // an event-loop pump's wake-ups (LoopPump)
  private volatile Runnable inboundRoomMade = () -> {};
  private volatile Runnable streamAttached = () -> {};

  DataPipe(String connectionId, int receiveCapacity, Owner owner, EngineMetrics metrics, ReentrantLock lock) {
    this.connectionId = connectionId;
    this.receiveCapacity = receiveCapacity;
    this.owner = owner;
    this.metrics = metrics;
    this.lock = lock;
    this.inboundRoom = lock.newCondition();
    this.outboundWork = lock.newCondition();
  }

  /** Heap bytes one connection's pipe holds at most, with {@code receiveCapacity} configured (--receive-buffer). */
  public static int heapBound(int receiveCapacity) {
    return receiveCapacity + MAX_READ + ChunkQueue.CHUNK_OVERHEAD + SEND_LIMIT;
  }

  /**
   * As {@link #heapBound(int)}, for a SECURE connection with a session (the default): plus its retransmit
   * window ({@code retransmitWindow} heap bytes of unacknowledged data, kept for a new path), the one message
   * whose array a kept slice may pin beyond the window, the session's buffer of one path read, and the TLS
   * link's TLS and frame buffers ({@link TlsSocket#HEAP}, {@link SecureLink#FRAME_HEAP}: once the connection has
   * carried bulk traffic).
   */
  public static int heapBound(int receiveCapacity, int retransmitWindow) {
    return heapBound(receiveCapacity) + retransmitWindow + EngineSettings.MAX_MESSAGE_BYTES + MAX_READ
        + TlsSocket.HEAP + SecureLink.FRAME_HEAP;
  }

  /**
   * Starts moving bytes over the established link, with keepalive and dead-peer detection on: on an event loop
   * of {@code loops} where the link can move there ({@link LoopPump}), else on the link's own threads
   * ({@link LinkPump}).
   *
   * @return what ends the connection from now on: the link, or the channel that took its socket over
   */
  Abortable start(Link link, Keepalive keepalive, EventLoops loops) {
    try {
      link.keepAlive(keepalive);
    } catch (IOException e) {
      log.warn("connection {}: keepalive could not be turned on: {}", connectionId, e.toString());
    }
    Optional<Abortable> onLoop = LoopPump.start(connectionId, this, owner, metrics, link, loops);
    if (onLoop.isPresent()) {
      return onLoop.get();
    }
    new LinkPump(connectionId, this, owner, metrics).start(link, keepalive);
    return link;
  }

  /**
   * Tells an event-loop pump of new outbound work, of inbound room and of a Stream attaching (on the attaching
   * thread); each is called with no lock held.
   */
  void wakeOnLoop(Runnable outboundWaiting, Runnable inboundRoomMade, Runnable streamAttached) {
    this.outboundWaiting = outboundWaiting;
    this.inboundRoomMade = inboundRoomMade;
    this.streamAttached = streamAttached;
  }

  /** The thread that attached the Stream last (gRPC's transport thread for the API's Stream calls), if any. */
  Optional<Thread> streamThread() {
    lock.lock();
    try {
      return Optional.ofNullable(streamThread);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Attaches the application's stream.
   *
   * @throws PunchdException FAILED_PRECONDITION while another stream is attached or once the connection ended
   */
  public void attach(StreamSink newSink) {
    lock.lock();
    try {
      if (end != null) {
        throw PunchdException.precondition("connection " + connectionId + " has ended; Stream needs a live connection");
      }
      if (sink != null) {
        throw PunchdException.precondition("connection " + connectionId + " already has a Stream; one at a time");
      }
      sink = newSink;
      streamThread = Thread.currentThread();
    } finally {
      lock.unlock();
    }
    streamAttached.run();
    newSink.onReceivable();
  }

  /** Detaches the stream if it is still the attached one; received bytes wait for the next stream. */
  public void detach(StreamSink oldSink) {
    lock.lock();
    try {
      if (sink == oldSink) {
        sink = null;
        if (end != null) {
          inbound.clear();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** True while an application Stream is attached. */
  public boolean hasStream() {
    lock.lock();
    try {
      return sink != null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues bytes for the peer; {@link StreamSink#onSent()} follows once they reached the connection.
   *
   * @return false when the connection has ended (the bytes are dropped; the sink hears of the end)
   * @throws PunchdException FAILED_PRECONDITION after the application half-closed, RESOURCE_EXHAUSTED when
   *     {@link #SEND_LIMIT} bytes already wait
   */
  public boolean send(ByteString data) {
    lock.lock();
    try {
      if (end != null) {
        return false;
      }
      if (sendFinishing) {
        throw PunchdException.precondition("connection " + connectionId
            + " was half-closed by this application: no more data can be sent");
      }
      if (outbound.heapBytes() + writing + ChunkQueue.heapCost(data) > SEND_LIMIT) {
        throw new PunchdException(PunchdException.Kind.RESOURCE_EXHAUSTED, "connection " + connectionId
            + " already holds " + (outbound.heapBytes() + writing) + " bytes for the peer (at most " + SEND_LIMIT
            + "); wait for the Stream to ask for more");
      }
      outbound.add(data);
      outboundWork.signal();
    } finally {
      lock.unlock();
    }
    outboundWaiting.run();
    return true;
  }

  /** Half-closes: FIN follows every byte queued so far. Idempotent. */
  public void finishSending() {
    lock.lock();
    try {
      sendFinishing = true;
      outboundWork.signal();
    } finally {
      lock.unlock();
    }
    outboundWaiting.run();
  }

  /** The next received chunk, or null when none is waiting. */
  public ByteString pollReceived() {
    ByteString chunk;
    boolean roomMade;
    lock.lock();
    try {
      boolean full = inboundFullLocked();
      chunk = inbound.poll();
      roomMade = full && !inboundFullLocked();
      if (chunk != null) {
        inboundRoom.signal();
      }
    } finally {
      lock.unlock();
    }
    if (roomMade) {
      inboundRoomMade.run();
    }
    return chunk;
  }

  /** Heap bytes the application sent that wait to be written to the connection. */
  public int queuedForPeer() {
    lock.lock();
    try {
      return outbound.heapBytes() + writing;
    } finally {
      lock.unlock();
    }
  }

  /** True once every received byte has been taken and nothing more will arrive. */
  public boolean receivedAll() {
    lock.lock();
    try {
      return inbound.isEmpty() && (peerFinished || end != null);
    } finally {
      lock.unlock();
    }
  }

  /** True when the peer half-closed (its FIN arrived), whether or not its bytes have been taken yet. */
  public boolean peerFinished() {
    lock.lock();
    try {
      return peerFinished;
    } finally {
      lock.unlock();
    }
  }

  /** How the connection ended, once it has; empty while it is open. */
  public Optional<StreamEnd> closure() {
    lock.lock();
    try {
      return Optional.ofNullable(end);
    } finally {
      lock.unlock();
    }
  }

  /** Heap bytes held for this connection: received but not taken, plus sent but not yet written. */
  public int bufferedBytes() {
    lock.lock();
    try {
      return inbound.heapBytes() + outbound.heapBytes() + writing;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records the end and stops both directions; bytes already received stay for the attached Stream (or go,
   * without one). Called with the connection's lock held: returns the sink to tell, with no lock held.
   */
  StreamSink endLocked(StreamEnd why) {
    if (end != null) {
      return null;
    }
    end = why;
    outbound.clear();
    if (sink == null) {
      inbound.clear();
    }
    inboundRoom.signalAll();
    outboundWork.signalAll();
    return sink;
  }

  /** Waits while the inbound queue is full (TCP then slows the peer); false once the connection ended. */
  boolean awaitInboundRoom() throws InterruptedException {
    lock.lock();
    try {
      while (inboundFullLocked() && end == null) {
        inboundRoom.await();
      }
      return end == null;
    } finally {
      lock.unlock();
    }
  }

  /** True while the inbound queue is full: a reader stops reading until {@link #pollReceived} makes room. */
  boolean inboundFull() {
    lock.lock();
    try {
      return inboundFullLocked();
    } finally {
      lock.unlock();
    }
  }

  private boolean inboundFullLocked() {
    return inbound.heapBytes() >= receiveCapacity;
  }

  StreamSink received(ByteString chunk) {
    lock.lock();
    try {
      if (end != null) {
        return null;
      }
      inbound.add(chunk);
      return sink;
    } finally {
      lock.unlock();
    }
  }

  StreamSink peerFinishedArrived() {
    lock.lock();
    try {
      peerFinished = true;
      return sink;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The bytes to write next, {@link #FINISH}, {@link #PING} after an idle keepalive interval, or null once
   * ended. Every chunk waiting, up to {@link #WRITE_BATCH} bytes, is taken at once (joined without copying),
   * so the writer wakes once per batch and a SECURE link fills its TLS records across message boundaries.
   */
  ByteString nextToWrite(long keepaliveNanos) throws InterruptedException {
    lock.lock();
    try {
      long left = keepaliveNanos;
      while (true) {
        if (end != null) {
          return null;
        }
        ByteString next = takeToWriteLocked();
        if (next != null) {
          return next;
        }
        if (left <= 0) {
          return PING;
        }
        left = outboundWork.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
  }

  /** As {@link #nextToWrite} without waiting: null when nothing is to be written now (or ever, once ended). */
  ByteString takeToWrite() {
    lock.lock();
    try {
      return end == null ? takeToWriteLocked() : null;
    } finally {
      lock.unlock();
    }
  }

  private ByteString takeToWriteLocked() {
    ByteString batch = outbound.poll();
    if (batch == null) {
      return sendFinishing ? FINISH : null;
    }
    writing = ChunkQueue.heapCost(batch);
    ByteString next;
    while (batch.size() < WRITE_BATCH && (next = outbound.poll()) != null) {
      batch = batch.concat(next);
      writing += ChunkQueue.heapCost(next);
    }
    return batch;
  }

  StreamSink written() {
    lock.lock();
    try {
      writing = 0;
      return sink;
    } finally {
      lock.unlock();
    }
  }
}
