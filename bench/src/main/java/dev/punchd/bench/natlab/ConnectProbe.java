package dev.punchd.bench.natlab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Locale;

/**
 * The NAT lab baseline, run inside a lab host: waits (up to 30 s) until {@code HOST:PORT} accepts, then times
 * {@code N} plain TCP connects to it and prints each in milliseconds, one per line.
 * Usage: {@code ConnectProbe HOST:PORT N}.
 */
public final class ConnectProbe {
  private ConnectProbe() {}

  public static void main(String[] args) throws Exception {
    String[] hostPort = args[0].split(":");
    InetSocketAddress target = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    int count = Integer.parseInt(args[1]);
    awaitAccepting(target, System.nanoTime() + 30_000_000_000L);
    for (int i = 0; i < count; i++) {
      try (Socket socket = new Socket()) {
        long start = System.nanoTime();
        socket.connect(target, 5_000);
        System.out.printf(Locale.ROOT, "%.3f%n", (System.nanoTime() - start) / 1e6);
      }
    }
  }

  private static void awaitAccepting(InetSocketAddress target, long deadlineNanos) throws Exception {
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(target, 1_000);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadlineNanos) {
          throw new IOException(target + " did not accept within 30 s", e);
        }
        Thread.sleep(20);
      }
    }
  }
}
