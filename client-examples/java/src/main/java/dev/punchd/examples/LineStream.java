package dev.punchd.examples;

import com.google.protobuf.ByteString;
import dev.punchd.v1.HolePunchGrpc;
import dev.punchd.v1.StreamRequest;
import dev.punchd.v1.StreamResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The chat's Stream call. Sends lines only while the call is ready (gRPC flow control) and prints what
 * arrives as {@code < line}, buffering bytes until their newline since the stream keeps no message
 * boundaries. Thread-safe: one thread sends, gRPC delivers received data; both meet on this object's lock.
 */
final class LineStream implements ClientResponseObserver<StreamRequest, StreamResponse> {
  private static final byte[] PREFIX = "< ".getBytes(StandardCharsets.US_ASCII);
  static final String PEER_FINISHED = "* peer finished: the chat ends once your input ends too (Ctrl-D)";

  private final PrintStream stdout;
  private final PrintStream stderr;
  private final ByteArrayOutputStream partialLine = new ByteArrayOutputStream(); // touched by gRPC callbacks only
  private final CompletableFuture<Void> end = new CompletableFuture<>();
  private ClientCallStreamObserver<StreamRequest> requests; // guarded by this

  LineStream(PrintStream stdout, PrintStream stderr) {
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts the call and names the connection in its first message. Received lines go to {@code stdout};
   * the notice that the peer finished sending goes to {@code stderr}.
   */
  static LineStream open(HolePunchGrpc.HolePunchStub stub, String connectionId, PrintStream stdout,
      PrintStream stderr) {
    LineStream stream = new LineStream(stdout, stderr);
    stub.stream(stream);
    synchronized (stream) {
      stream.requests.onNext(StreamRequest.newBuilder().setConnectionId(connectionId).build());
    }
    return stream;
  }

  @Override
  public synchronized void beforeStart(ClientCallStreamObserver<StreamRequest> requestStream) {
    requests = requestStream;
    requestStream.setOnReadyHandler(this::wakeSender);
  }

  /** Sends every line of {@code lines}, then half-closes; stops early when the call has ended. */
  void sendAll(StdinLines lines) throws IOException, InterruptedException {
    for (byte[] line = lines.next(); line != null; line = lines.next()) {
      if (!send(line)) {
        return;
      }
    }
    halfClose();
  }

  /** No more data from this side: the sidecar sends FIN to the peer after what was sent. */
  synchronized void halfClose() {
    if (!end.isDone()) {
      requests.onCompleted();
    }
  }

  /** Waits until the sidecar completes the call (the peer finished) and throws how it failed otherwise. */
  void awaitEnd() throws InterruptedException, ExecutionException {
    end.get();
  }

  private synchronized boolean send(byte[] line) throws InterruptedException {
    while (!requests.isReady() && !end.isDone()) {
      wait();
    }
    if (end.isDone()) {
      return false;
    }
    requests.onNext(StreamRequest.newBuilder().setData(ByteString.copyFrom(line)).build());
    return true;
  }

  private synchronized void wakeSender() {
    notifyAll();
  }

  @Override
  public void onNext(StreamResponse response) {
    byte[] data = response.getData().toByteArray();
    int lineStart = 0;
    for (int i = 0; i < data.length; i++) {
      if (data[i] == '\n') {
        partialLine.write(data, lineStart, i - lineStart);
        printLine();
        lineStart = i + 1;
      }
    }
    partialLine.write(data, lineStart, data.length - lineStart);
    if (response.getPeerFinished()) {
      printPartialLine();
      stderr.println(PEER_FINISHED);
      stderr.flush();
    }
  }

  @Override
  public void onError(Throwable t) {
    end.completeExceptionally(t);
    wakeSender();
  }

  @Override
  public void onCompleted() {
    printPartialLine();
    end.complete(null);
    wakeSender();
  }

  private void printPartialLine() {
    if (partialLine.size() > 0) {
      printLine();
    }
  }

  private void printLine() {
    stdout.write(PREFIX, 0, PREFIX.length);
    stdout.write(partialLine.toByteArray(), 0, partialLine.size());
    stdout.write('\n');
    stdout.flush();
    partialLine.reset();
  }
}
