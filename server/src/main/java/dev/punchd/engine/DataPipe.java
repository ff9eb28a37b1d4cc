package dev.punchd.engine;

import dev.punchd.observe.LogContext;
import dev.punchd.transport.Link;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one connection's bytes between the application's {@link StreamSink} and the peer {@link Link}:
 * a reader thread fills a bounded {@link InboundBuffer}, a writer thread drains the {@link OutboundQueue}.
 * It exists from allocation, so a Stream may attach before the connection is established; bytes flow once
 * {@link #start(Link)} is called. Thread-safe.
 */
public final class DataPipe {
  private static final Logger log = LoggerFactory.getLogger(DataPipe.class);

  /** What the owning connection needs to hear from the pipe; called from pipe threads. */
  interface Owner {
    void outputFinished();

    void inputFinished();

    void broken(IOException cause);
  }

  private final String connectionId;
  private final InboundBuffer inbound;
  private final OutboundQueue outbound = new OutboundQueue();
  private final Owner owner;
  private final EngineMetrics metrics;
  private StreamSink sink; // guarded by this
  private StreamEnd end; // guarded by this: set when the connection ended

  DataPipe(String connectionId, int receiveCapacity, Owner owner, EngineMetrics metrics) {
    this.connectionId = connectionId;
    this.inbound = new InboundBuffer(receiveCapacity);
    this.owner = owner;
    this.metrics = metrics;
  }

  /** Starts moving bytes over the established link. */
  void start(Link link) {
    Thread.ofVirtual().name("pipe-read-" + connectionId).start(LogContext.withConnection(connectionId,
        () -> readLoop(link)));
    Thread.ofVirtual().name("pipe-write-" + connectionId).start(LogContext.withConnection(connectionId,
        () -> writeLoop(link)));
  }

  /**
   * Attaches the application's stream.
   *
   * @throws PunchdException FAILED_PRECONDITION while another stream is attached
   */
  public void attach(StreamSink newSink) {
    synchronized (this) {
      if (sink != null) {
        throw PunchdException.precondition("connection " + connectionId + " already has a Stream; one at a time");
      }
      sink = newSink;
    }
    inbound.setListener(newSink::onReceivable);
  }

  /** Detaches the stream if it is still the attached one; received bytes wait for the next stream. */
  public void detach(StreamSink oldSink) {
    synchronized (this) {
      if (sink != oldSink) {
        return;
      }
      sink = null;
    }
    inbound.setListener(() -> {});
  }

  /** True while an application Stream is attached. */
  public synchronized boolean hasStream() {
    return sink != null;
  }

  /**
   * Queues bytes for the peer; {@link StreamSink#onSent()} follows once they reached the connection.
   *
   * @throws PunchdException FAILED_PRECONDITION after the application half-closed or the connection ended
   */
  public void send(byte[] data) {
    if (!outbound.offer(data)) {
      throw PunchdException.precondition("connection " + connectionId
          + (outbound.isFinishing() ? " was half-closed by this application: no more data can be sent"
              : " is closed: no more data can be sent"));
    }
  }

  /** Half-closes: FIN follows every byte queued so far. Idempotent. */
  public void finishSending() {
    outbound.finish();
  }

  /** The next received chunk, or null when none is waiting. */
  public byte[] pollReceived() {
    return inbound.poll();
  }

  /** Bytes the application sent that wait to be written to the connection. */
  public int queuedForPeer() {
    return outbound.bufferedBytes();
  }

  /** True once every received byte has been taken and nothing more will arrive. */
  public boolean receivedAll() {
    return inbound.isDrained();
  }

  /** True when the peer half-closed (its FIN arrived), whether or not its bytes have been taken yet. */
  public boolean peerFinished() {
    return inbound.peerFinished();
  }

  /** How the connection ended, once it has; empty while it is open. */
  public synchronized Optional<StreamEnd> closure() {
    return Optional.ofNullable(end);
  }

  /** Bytes held for this connection: received but not taken, plus sent but not yet written. */
  public int bufferedBytes() {
    return inbound.bufferedBytes() + outbound.bufferedBytes();
  }

  /** Stops both directions; bytes already received stay available, then the stream ends with {@code why}. */
  void close(StreamEnd why) {
    synchronized (this) {
      if (end == null) {
        end = why;
      }
    }
    outbound.close();
    inbound.close();
  }

  private void readLoop(Link link) {
    byte[] buffer = new byte[link.readSize()];
    try {
      while (true) {
        int n = link.read(buffer);
        if (n < 0) {
          inbound.finish();
          owner.inputFinished();
          return;
        }
        metrics.bytesReceived(n);
        if (!inbound.put(Arrays.copyOf(buffer, n))) {
          return;
        }
      }
    } catch (IOException e) {
      owner.broken(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop(Link link) {
    try {
      while (true) {
        byte[] chunk = outbound.take();
        if (chunk == null) {
          return;
        }
        if (chunk == OutboundQueue.FINISH) {
          link.finishOutput();
          owner.outputFinished();
          return;
        }
        link.write(chunk, 0, chunk.length);
        metrics.bytesSent(chunk.length);
        outbound.written(chunk);
        StreamSink current;
        synchronized (this) {
          current = sink;
        }
        if (current != null) {
          current.onSent();
        }
      }
    } catch (IOException e) {
      log.debug("connection {}: write failed: {}", connectionId, e.toString());
      owner.broken(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
