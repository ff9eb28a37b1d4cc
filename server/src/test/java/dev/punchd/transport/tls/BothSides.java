package dev.punchd.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs each end of a connection on its own virtual thread and waits for it, always bounded. */
final class BothSides implements AutoCloseable {
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration WAIT_LIMIT = HANDSHAKE_TIMEOUT.multipliedBy(2);

  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  <T> Future<T> run(Callable<T> side) {
    return executor.submit(side);
  }

  Future<TlsSocket> secure(Identity local, Socket socket, Identity peer) {
    return run(() -> new TlsHandshake(local).secure(socket, peer.fingerprint(), HANDSHAKE_TIMEOUT));
  }

  /** Both ends of a secured pair: the lower fingerprint dials and is the TLS client. */
  record Secured(TlsSocket client, TlsSocket server) {}

  /** Secures both ends of {@code pair} at once and waits for both. */
  Secured secure(IdentityPair ids, SocketPair pair) throws Exception {
    Future<TlsSocket> dialer = secure(ids.lower(), pair.dialer(), ids.higher());
    Future<TlsSocket> acceptor = secure(ids.higher(), pair.acceptor(), ids.lower());
    return new Secured(await(dialer), await(acceptor));
  }

  static <T> T await(Future<T> side) throws Exception {
    try {
      return side.get(WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The IOException a side ended with; fails the test if it ended otherwise. */
  static IOException failureOf(Future<?> side) throws InterruptedException, TimeoutException {
    try {
      Object result = side.get(WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected an IOException, but the side returned " + result);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(IOException.class);
      return (IOException) e.getCause();
    }
  }

  @Override
  public void close() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS))
        .as("side threads ended")
        .isTrue();
  }
}
