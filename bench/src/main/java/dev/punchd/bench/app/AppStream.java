package dev.punchd.bench.app;

import com.google.protobuf.ByteString;
import dev.punchd.v1.HolePunchGrpc;
import dev.punchd.v1.StreamRequest;
import dev.punchd.v1.StreamResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An application's end of one connection's {@code Stream} call: sends only while the call is ready (flow
 * control), counts (and optionally hashes) what it receives, and optionally echoes it back. One thread
 * sends at a time (an echoing stream sends only from gRPC's callback); counters and waits are thread-safe.
 */
public final class AppStream implements ClientResponseObserver<StreamRequest, StreamResponse> {
  private final boolean echo;
  private final MessageDigest digest; // null when not hashing; guarded by lock
  private final Object lock = new Object();
  private final CompletableFuture<Status> end = new CompletableFuture<>();
  private long received; // guarded by lock
  private ClientCallStreamObserver<StreamRequest> call;

  private AppStream(boolean echo, boolean hash) {
    this.echo = echo;
    this.digest = hash ? sha256() : null;
  }

  /** Opens the Stream of {@code connectionId}; an {@code echo} stream sends back everything it receives. */
  public static AppStream open(HolePunchGrpc.HolePunchStub stub, String connectionId, boolean echo, boolean hash) {
    AppStream stream = new AppStream(echo, hash);
    stub.stream(stream);
    stream.call.onNext(StreamRequest.newBuilder().setConnectionId(connectionId).build());
    return stream;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<StreamRequest> requestStream) {
    this.call = requestStream;
    requestStream.setOnReadyHandler(() -> {
      synchronized (lock) {
        lock.notifyAll();
      }
    });
  }

  /** Sends {@code data} once the call is ready, waiting at most {@code timeout} for that. */
  public void send(ByteString data, Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!call.isReady()) {
        if (end.isDone()) {
          throw new IllegalStateException("stream ended while sending: " + end.join());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("stream not ready to send within " + timeout);
        }
        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
    call.onNext(StreamRequest.newBuilder().setData(data).build());
  }

  /** Sends {@code data} without waiting for readiness (for small messages with one in flight). */
  public void sendNow(ByteString data) {
    call.onNext(StreamRequest.newBuilder().setData(data).build());
  }

  /** Waits until at least {@code total} bytes have been received in all, failing after {@code timeout}. */
  public void awaitReceived(long total, Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (received < total) {
        if (end.isDone()) {
          throw new IllegalStateException("stream ended at " + received + " of " + total + " bytes: " + end.join());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("received " + received + " of " + total + " bytes within " + timeout);
        }
        lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  @Override
  public void onNext(StreamResponse response) {
    ByteString data = response.getData();
    if (echo) {
      call.onNext(StreamRequest.newBuilder().setData(data).build());
    }
    synchronized (lock) {
      received += data.size();
      if (digest != null) {
        digest.update(data.asReadOnlyByteBuffer());
      }
      lock.notifyAll();
    }
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
    wakeUp();
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
    wakeUp();
  }

  /** Half-close: no more data from this side. */
  public void finish() {
    call.onCompleted();
  }

  public void cancel() {
    call.cancel("benchmark done", null);
  }

  public long receivedBytes() {
    synchronized (lock) {
      return received;
    }
  }

  /** SHA-256 of everything received so far (hashing streams only). */
  public byte[] receivedDigest() {
    synchronized (lock) {
      try {
        return ((MessageDigest) digest.clone()).digest();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** How the call ended: OK when the server completed it. */
  public Status awaitEnd(Duration timeout) throws Exception {
    return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void wakeUp() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
