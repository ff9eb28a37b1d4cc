package dev.punchd.api;

import dev.punchd.engine.Connection;
import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.DataPipe;
import dev.punchd.engine.PunchdException;
import dev.punchd.engine.StreamEnd;
import dev.punchd.engine.StreamSink;
import dev.punchd.observe.LogContext;
import dev.punchd.v1.StreamRequest;
import dev.punchd.v1.StreamResponse;
import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Stream call, bridging the application and a connection's {@link DataPipe} with flow control both
 * ways: the next request message is asked for only while fewer than {@link DataPipe#SEND_WINDOW} bytes wait
 * to be written to the connection (otherwise once the writer has caught up), and received bytes are sent
 * only while the client is ready. However the connection ends, every byte received before the end is sent
 * before the call ends; a message that arrives after the end is dropped rather than failing the call.
 * Thread-safe: everything that writes to the response observer holds this object's lock, and one thread
 * at a time sends received bytes (the others leave it a request to go round again); asking for messages
 * holds {@code credit}. gRPC calls this on its transport thread (see {@link StreamCallExecutor}), so nothing
 * here waits for more than another thread's short critical section (never for I/O).
 */
final class StreamSession implements StreamObserver<StreamRequest>, StreamSink {
  /** Response bytes gRPC may buffer toward a client before the call stops being ready. */
  private static final int RESPONSE_READY_BYTES = 512 * 1024;
  /** Received bytes gathered into one response message, about. */
  private static final int RESPONSE_BYTES = 64 * 1024;

  private final ConnectionManager manager;
  private final ServerCallStreamObserver<StreamResponse> responses;
  private volatile DataPipe pipe;
  private volatile String connectionId = ""; // for the log context, once known
  private volatile boolean ended; // written holding this
  private boolean peerFinishedSent; // guarded by this
  private final AtomicInteger drainRequests = new AtomicInteger(); // onReceivable calls not yet served
  private final Object credit = new Object();
  private boolean owed; // guarded by credit: a message is owed to gRPC once the writer catches up

  StreamSession(ConnectionManager manager, ServerCallStreamObserver<StreamResponse> responses) {
    this.manager = manager;
    this.responses = responses;
    responses.disableAutoRequest();
    // The default (32 KiB) makes every 64 KiB response wait for an onReady callback of its own.
    responses.setOnReadyThreshold(RESPONSE_READY_BYTES);
    responses.setOnCancelHandler(this::detach);
    responses.setOnReadyHandler(this::onReceivable);
    responses.request(1);
  }

  @Override
  public void onNext(StreamRequest request) {
    if (ended) {
      return;
    }
    try {
      DataPipe current = pipe;
      if (current == null) {
        connectionId = request.getConnectionId();
        try (LogContext.Scope ignored = LogContext.connection(connectionId)) {
          current = attach(request.getConnectionId());
        }
      }
      boolean open;
      synchronized (credit) {
        open = request.getData().isEmpty() || current.send(request.getData());
        if (!open) {
          owed = false; // the connection ended: nothing more to ask for
        } else if (current.queuedForPeer() < DataPipe.SEND_WINDOW) {
          responses.request(1);
        } else {
          owed = true;
        }
      }
      if (!open) {
        onReceivable(); // delivers what was received, then ends the call as the connection ended
      }
    } catch (PunchdException e) {
      fail(StatusMapping.toStatus(e));
    }
  }

  private DataPipe attach(String connectionId) {
    if (connectionId.isEmpty()) {
      throw new PunchdException(PunchdException.Kind.INVALID_ARGUMENT,
          "the first StreamRequest must carry connection_id");
    }
    Connection connection = manager.get(connectionId);
    Connection.State state = connection.state();
    if (state == Connection.State.FAILED || state == Connection.State.CLOSED) {
      throw new PunchdException(PunchdException.Kind.FAILED_PRECONDITION,
          "connection " + connectionId + " is " + state + "; Stream needs a live connection");
    }
    DataPipe attached = connection.pipe();
    pipe = attached;
    attached.attach(this);
    return attached;
  }

  @Override
  public void onError(Throwable t) {
    detach();
  }

  @Override
  public void onCompleted() {
    DataPipe current = pipe;
    if (current != null) {
      try (LogContext.Scope ignored = LogContext.connection(connectionId)) {
        current.finishSending();
      }
    }
  }

  @Override
  public void onSent() {
    synchronized (credit) {
      if (owed && pipe.queuedForPeer() < DataPipe.SEND_WINDOW) {
        owed = false;
        responses.request(1);
      }
    }
  }

  /**
   * Sends what was received, and the end once everything is. Never waits for another thread: when one is
   * already sending (the connection's reader, or gRPC's transport thread when the call becomes ready), it
   * is asked to go round once more instead, so gRPC's thread is never held up by the reader.
   */
  @Override
  public void onReceivable() {
    if (drainRequests.getAndIncrement() != 0) {
      return;
    }
    int requests = 1;
    do {
      drain();
      requests = drainRequests.addAndGet(-requests);
    } while (requests != 0);
  }

  private synchronized void drain() {
    DataPipe current = pipe;
    if (ended || current == null) {
      return;
    }
    while (responses.isReady()) {
      ByteString data = nextResponseData(current);
      if (data.isEmpty()) {
        break;
      }
      responses.onNext(StreamResponse.newBuilder().setData(data).build());
    }
    if (!current.receivedAll()) {
      return;
    }
    if (current.peerFinished() && !peerFinishedSent) {
      peerFinishedSent = true;
      responses.onNext(StreamResponse.newBuilder().setPeerFinished(true).build());
    }
    Optional<StreamEnd> end = current.closure();
    if (end.isPresent()) {
      ended = true;
      current.detach(this);
      if (end.get().clean()) {
        responses.onCompleted();
      } else {
        responses.onError(StatusMapping.toStatus(end.get()));
      }
    }
  }

  /**
   * Received chunks joined up to about {@link #RESPONSE_BYTES}, without copying (the chunks are never
   * touched again): fewer, larger messages cost gRPC far less than one per socket read.
   */
  private static ByteString nextResponseData(DataPipe pipe) {
    ByteString data = ByteString.EMPTY;
    ByteString chunk;
    while (data.size() < RESPONSE_BYTES && (chunk = pipe.pollReceived()) != null) {
      data = data.concat(chunk);
    }
    return data;
  }

  private synchronized void fail(StatusRuntimeException status) {
    if (ended) {
      return;
    }
    ended = true;
    DataPipe current = pipe;
    if (current != null) {
      current.detach(this);
    }
    responses.onError(status);
  }

  private void detach() {
    synchronized (this) {
      ended = true;
    }
    DataPipe current = pipe;
    if (current != null) {
      current.detach(this);
    }
  }

}
