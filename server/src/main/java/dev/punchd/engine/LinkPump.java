package dev.punchd.engine;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.punchd.observe.LogContext;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.Link;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two threads that move an established connection's bytes: a reader from the link into its
 * {@link DataPipe} (waiting for room before each read, so the peer is slowed by TCP), and a writer from the
 * pipe to the link (pinging after an idle keepalive interval). Sinks and the owner are told with no lock
 * held. Each thread ends when the connection ends; an I/O error goes to the owner. Thread-safe.
 */
final class LinkPump {
  private static final Logger log = LoggerFactory.getLogger(LinkPump.class);

  /** The first read buffer: an idle connection holds no more; a read that fills it moves to the link's size. */
  static final int FIRST_READ = 2 * 1024;

  private final String connectionId;
  private final DataPipe pipe;
  private final DataPipe.Owner owner;
  private final EngineMetrics metrics;

  LinkPump(String connectionId, DataPipe pipe, DataPipe.Owner owner, EngineMetrics metrics) {
    this.connectionId = connectionId;
    this.pipe = pipe;
    this.owner = owner;
    this.metrics = metrics;
  }

  /** Starts both threads; keepalive is on already ({@link Link#keepAlive}), its interval paces the pings. */
  void start(Link link, Keepalive keepalive) {
    Thread.ofVirtual().name("pipe-read-" + connectionId).start(LogContext.withConnection(connectionId,
        () -> readLoop(link)));
    Thread.ofVirtual().name("pipe-write-" + connectionId).start(LogContext.withConnection(connectionId,
        () -> writeLoop(link, keepalive.interval().toNanos())));
  }

  private void readLoop(Link link) {
    int bulk = Math.min(DataPipe.MAX_READ, link.readSize());
    byte[] buffer = new byte[Math.min(bulk, FIRST_READ)];
    try {
      while (pipe.awaitInboundRoom()) {
        int n = link.read(buffer);
        if (n < 0) {
          notify(pipe.peerFinishedArrived());
          owner.inputFinished();
          link.awaitPeerClose(); // the peer may still Close, or break, before this side finishes
          return;
        }
        IOException after = null;
        try {
          int more;
          while (n < buffer.length && (more = link.readMore(buffer, n)) > 0) {
            n += more;
          }
        } catch (IOException e) {
          after = e; // the bytes before it are delivered first
        }
        metrics.bytesReceived(n);
        ByteString chunk;
        if (n == buffer.length) { // handed over whole (the usual case under bulk traffic): no copy
          chunk = UnsafeByteOperations.unsafeWrap(buffer);
          buffer = new byte[bulk];
        } else {
          chunk = ByteString.copyFrom(buffer, 0, n);
        }
        notify(pipe.received(chunk));
        if (after != null) {
          throw after;
        }
      }
    } catch (IOException e) {
      owner.broken(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void notify(StreamSink sink) {
    if (sink != null) {
      sink.onReceivable();
    }
  }

  private void writeLoop(Link link, long keepaliveNanos) {
    try {
      while (true) {
        ByteString chunk = pipe.nextToWrite(keepaliveNanos);
        if (chunk == null) {
          return;
        }
        if (chunk == DataPipe.PING) {
          link.ping();
        } else if (chunk == DataPipe.FINISH) {
          link.finishOutput();
          owner.outputFinished();
          return;
        } else {
          link.write(chunk);
          metrics.bytesSent(chunk.size());
          StreamSink current = pipe.written();
          if (current != null) {
            current.onSent();
          }
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
