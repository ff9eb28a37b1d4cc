package dev.punchd.testing;

import com.google.protobuf.ByteString;
import dev.punchd.v1.HolePunchGrpc;
import dev.punchd.v1.StreamRequest;
import dev.punchd.v1.StreamResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application's Stream call for tests: sends with flow control (only while the call is ready), hashes
 * what it receives, and can stop reading (manual inbound flow control) to play a slow application.
 */
public final class StreamClient implements ClientResponseObserver<StreamRequest, StreamResponse> {
  private final boolean reading;
  private final boolean keepBytes;
  private final MessageDigest digest = sha256();
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final CompletableFuture<Status> end = new CompletableFuture<>();
  private final CompletableFuture<Long> peerFinished = new CompletableFuture<>();
  private final Object readyLock = new Object();
  private ClientCallStreamObserver<StreamRequest> requests;

  private StreamClient(boolean reading, boolean keepBytes) {
    this.reading = reading;
    this.keepBytes = keepBytes;
  }

  /** Opens a Stream for the connection; {@code reading=false} takes nothing until {@link #read(int)}. */
  public static StreamClient open(HolePunchGrpc.HolePunchStub stub, String connectionId, boolean reading,
      boolean keepBytes) {
    StreamClient client = new StreamClient(reading, keepBytes);
    stub.stream(client);
    client.requests.onNext(StreamRequest.newBuilder().setConnectionId(connectionId).build());
    return client;
  }

  public static StreamClient open(HolePunchGrpc.HolePunchStub stub, String connectionId) {
    return open(stub, connectionId, true, false);
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<StreamRequest> requestStream) {
    this.requests = requestStream;
    if (!reading) {
      requestStream.disableAutoRequestWithInitial(0);
    }
    requestStream.setOnReadyHandler(this::wakeSenders);
  }

  /** Sends {@code total} bytes of {@code data} in chunks, waiting whenever the call is not ready. */
  public void send(RandomBytes data, long total, int chunkSize) throws InterruptedException, TimeoutException {
    long sent = 0;
    while (sent < total) {
      awaitReady(Duration.ofSeconds(60));
      int n = (int) Math.min(chunkSize, total - sent);
      requests.onNext(StreamRequest.newBuilder().setData(ByteString.copyFrom(data.next(n))).build());
      sent += n;
      this.sent.addAndGet(n);
    }
  }

  /** Sends one message as is (no flow-control wait). */
  public void sendRaw(StreamRequest request) {
    requests.onNext(request);
  }

  /** Waits until the call is ready to send, failing after {@code timeout}. */
  public void awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (readyLock) {
      while (!requests.isReady()) {
        if (end.isDone()) {
          throw new IllegalStateException("stream ended while sending: " + end.join());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("stream not ready to send within " + timeout);
        }
        readyLock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** True when the call can take another message without buffering. */
  public boolean isReady() {
    return requests.isReady();
  }

  /** Half-close: no more data from this side. */
  public void finish() {
    requests.onCompleted();
  }

  public void cancel() {
    requests.cancel("test cancelled the stream", null);
  }

  /** Lets a non-reading client take {@code messages} more messages. */
  public void read(int messages) {
    requests.request(messages);
  }

  @Override
  public void onNext(StreamResponse response) {
    synchronized (digest) {
      digest.update(response.getData().asReadOnlyByteBuffer());
      if (keepBytes) {
        kept.writeBytes(response.getData().toByteArray());
      }
    }
    long total = received.addAndGet(response.getData().size());
    if (response.getPeerFinished()) {
      peerFinished.complete(total);
    }
  }

  /** Waits for the sidecar's "peer finished" message; returns the bytes received before it. */
  public long awaitPeerFinished(Duration timeout) throws Exception {
    return peerFinished.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean peerFinished() {
    return peerFinished.isDone();
  }

  @Override
  public void onError(Throwable t) {
    end.complete(Status.fromThrowable(t));
    wakeSenders();
  }

  @Override
  public void onCompleted() {
    end.complete(Status.OK);
    wakeSenders();
  }

  /** Wakes {@link #awaitReady}: the call became ready, or ended. */
  private void wakeSenders() {
    synchronized (readyLock) {
      readyLock.notifyAll();
    }
  }

  /** Bytes handed to gRPC by {@link #send}. */
  public long sentBytes() {
    return sent.get();
  }

  public long receivedBytes() {
    return received.get();
  }

  /** SHA-256 of everything received so far. */
  public byte[] receivedDigest() {
    synchronized (digest) {
      try {
        return ((MessageDigest) digest.clone()).digest();
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  public byte[] receivedBytesKept() {
    synchronized (digest) {
      return kept.toByteArray();
    }
  }

  /** How the stream ended: OK for a clean completion by the server. */
  public Status awaitEnd(Duration timeout) throws Exception {
    return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How the stream ended, or null if it is still open after {@code timeout} (for asserting that it stays open). */
  public Status awaitEndOrNull(Duration timeout) throws Exception {
    try {
      return end.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return null;
    }
  }

  public boolean isEnded() {
    return end.isDone();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
