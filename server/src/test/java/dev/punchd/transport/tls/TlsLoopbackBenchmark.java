package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Loopback numbers for the TLS layer: handshake latency and single-stream throughput against plain
 * TCP. Not a test (its name keeps it out of the default run); run it with {@code
 * -Dtest=TlsLoopbackBenchmark}. It prints its numbers and only checks that every byte arrived.
 * The first throughput round runs before the JIT has compiled the AES-GCM intrinsics.
 */
class TlsLoopbackBenchmark extends TwoSidedTest {
  private static final int HANDSHAKES = 20;
  private static final int WARM_UP_HANDSHAKES = 50;
  private static final long STREAM_BYTES = 256L << 20;
  private static final int THROUGHPUT_ROUNDS = 3;
  private static final int CHUNK_BYTES = 64 << 10;

  @Test
  void handshakeLatency() throws Exception {
    for (int i = 0; i < WARM_UP_HANDSHAKES; i++) {
      timeHandshake();
    }
    double[] millis = new double[HANDSHAKES];
    for (int i = 0; i < HANDSHAKES; i++) {
      millis[i] = timeHandshake();
    }
    Arrays.sort(millis);
    System.out.printf(
        "TLS 1.3 handshake on loopback: median %.2f ms (min %.2f, max %.2f, n=%d)%n",
        (millis[HANDSHAKES / 2 - 1] + millis[HANDSHAKES / 2]) / 2,
        millis[0],
        millis[HANDSHAKES - 1],
        HANDSHAKES);
  }

  @Test
  void singleStreamThroughput() throws Exception {
    try (SocketPair plain = SocketPair.open();
        SocketPair forTls = SocketPair.open()) {
      Future<TlsSocket> dialer = sides.secure(ids.lower(), forTls.dialer(), ids.higher());
      Future<TlsSocket> acceptor = sides.secure(ids.higher(), forTls.acceptor(), ids.lower());
      TlsSocket tlsSender = await(dialer);
      TlsSocket tlsReceiver = await(acceptor);
      plain.dialer().setTcpNoDelay(true);
      plain.acceptor().setTcpNoDelay(true);

      for (int round = 1; round <= THROUGHPUT_ROUNDS; round++) {
        double plainMbPerSecond = transfer(plain.dialer(), plain.acceptor());
        double tlsMbPerSecond = transfer(tlsSender, tlsReceiver);
        System.out.printf(
            "256 MiB single stream on loopback, round %d: plain TCP %.0f MB/s,"
                + " TLS 1.3 (%s) %.0f MB/s = %.2fx%n",
            round,
            plainMbPerSecond,
            tlsSender.session().getCipherSuite(),
            tlsMbPerSecond,
            tlsMbPerSecond / plainMbPerSecond);
      }
    }
  }

  private double timeHandshake() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      long start = System.nanoTime();
      Future<TlsSocket> dialer = sides.secure(ids.lower(), pair.dialer(), ids.higher());
      Future<TlsSocket> acceptor = sides.secure(ids.higher(), pair.acceptor(), ids.lower());
      await(dialer);
      await(acceptor);
      return (System.nanoTime() - start) / 1e6;
    }
  }

  /** Sends 256 MiB from one socket to the other and returns MB/s (10^6 bytes per second). */
  private double transfer(Socket from, Socket to) throws Exception {
    long total = STREAM_BYTES;
    byte[] chunk = new byte[CHUNK_BYTES];
    new Random(1).nextBytes(chunk);
    long start = System.nanoTime();
    Future<Void> sent = sides.run(() -> send(from.getOutputStream(), chunk, total));
    long received = receive(to.getInputStream(), total);
    await(sent);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(received).isEqualTo(total);
    return total / 1e6 / seconds;
  }

  private static Void send(OutputStream out, byte[] chunk, long total) throws IOException {
    for (long sent = 0; sent < total; sent += chunk.length) {
      out.write(chunk, 0, (int) Math.min(chunk.length, total - sent));
    }
    out.flush();
    return null;
  }

  private static long receive(InputStream in, long total) throws IOException {
    byte[] buffer = new byte[CHUNK_BYTES];
    long received = 0;
    while (received < total) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, total - received));
      if (read < 0) {
        break;
      }
      received += read;
    }
    return received;
  }
}
