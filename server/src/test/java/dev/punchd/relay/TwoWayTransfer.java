package dev.punchd.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.RandomBytes;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends random bytes from one socket to the other, then back, and checks that they arrive intact (SHA-256).
 * One direction at a time and no half-close, because coturn's TCP relay does not carry either: a FIN becomes a
 * reset of the other side, and with both directions saturated at once it sometimes stops forwarding (see the
 * design notes). A stalled transfer fails after {@link #TIMEOUT} and closes both sockets.
 */
final class TwoWayTransfer {
  private static final int CHUNK = 16 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private TwoWayTransfer() {}

  /** Moves {@code bytes} from a to b, then from b to a; returns how long both took. */
  static Duration run(Socket a, Socket b, int bytes) throws Exception {
    long start = System.nanoTime();
    oneWay(a, b, 1, bytes);
    oneWay(b, a, 2, bytes);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void oneWay(Socket from, Socket to, long seed, int bytes) throws Exception {
    CompletableFuture<byte[]> received = new CompletableFuture<>();
    Thread reader = Thread.ofVirtual().start(() -> {
      try {
        received.complete(digest(to, bytes));
      } catch (Exception e) {
        received.completeExceptionally(e);
      }
    });
    try {
      RandomBytes data = new RandomBytes(seed);
      OutputStream out = from.getOutputStream();
      for (int sent = 0; sent < bytes; sent += CHUNK) {
        out.write(data.next(Math.min(CHUNK, bytes - sent)));
      }
      out.flush();
      assertThat(received.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
          .isEqualTo(RandomBytes.digestOf(seed, bytes, CHUNK));
    } catch (Exception | AssertionError e) {
      from.close();
      to.close();
      reader.join(TIMEOUT.toMillis());
      throw e;
    }
  }

  private static byte[] digest(Socket socket, int bytes) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[CHUNK];
    for (int received = 0; received < bytes; ) {
      int n = in.read(buffer, 0, Math.min(buffer.length, bytes - received));
      if (n < 0) {
        throw new IllegalStateException("end of stream after " + received + " of " + bytes + " bytes");
      }
      digest.update(buffer, 0, n);
      received += n;
    }
    return digest.digest();
  }
}
