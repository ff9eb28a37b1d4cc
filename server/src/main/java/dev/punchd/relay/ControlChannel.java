package dev.punchd.relay;

import dev.punchd.stun.StunClass;
import dev.punchd.stun.StunMessage;
import dev.punchd.stun.StunServerException;
import dev.punchd.stun.StunStream;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The control connection of a TURN allocation: requests from any thread, each answered by its response (matched
 * by transaction id), and indications from the server handed to a consumer. One virtual thread reads; when the
 * connection ends every pending request fails and the end is reported once. Thread-safe.
 */
final class ControlChannel implements Closeable {
  private final String server;
  private final StunStream stream;
  private final Map<String, CompletableFuture<StunStream.Received>> pending = new ConcurrentHashMap<>();
  private final Consumer<StunMessage> indications;
  private final Consumer<IOException> onEnd;
  private volatile boolean closed;

  /**
   * Starts reading. {@code indications} runs on the reader thread and must not block; {@code onEnd} runs once
   * when the server closes the connection or it fails (not after {@link #close()}).
   */
  ControlChannel(String server, StunStream stream, Consumer<StunMessage> indications, Consumer<IOException> onEnd) {
    this.server = server;
    this.stream = stream;
    this.indications = indications;
    this.onEnd = onEnd;
    Thread.ofVirtual().name("turn-control " + server).start(this::readLoop);
  }

  /** Sends a request and waits at most {@code timeout} for its response. */
  StunStream.Received exchange(StunMessage request, byte[] key, Duration timeout) throws IOException {
    String id = HexFormat.of().formatHex(request.transactionId());
    CompletableFuture<StunStream.Received> response = new CompletableFuture<>();
    pending.put(id, response);
    try {
      if (closed) {
        throw new IOException("control connection to " + server + " is closed");
      }
      stream.send(request, key);
      return response.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new StunServerException(server, "no " + request.method().displayName() + " response within " + timeout);
    } catch (ExecutionException e) {
      throw new IOException("control connection to " + server + " ended: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for " + server, e);
    } finally {
      pending.remove(id);
    }
  }

  private void readLoop() {
    try {
      while (true) {
        StunStream.Received received = stream.receive();
        StunMessage message = received.message();
        if (message.type() == StunClass.INDICATION) {
          indications.accept(message);
        } else {
          CompletableFuture<StunStream.Received> waiter =
              pending.get(HexFormat.of().formatHex(message.transactionId()));
          if (waiter != null) {
            waiter.complete(received);
          }
        }
      }
    } catch (IOException e) {
      pending.values().forEach(waiter -> waiter.completeExceptionally(e));
      if (!closed) {
        onEnd.accept(e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      stream.close();
    } catch (IOException ignored) {
      // closing: nothing to report
    }
  }
}
