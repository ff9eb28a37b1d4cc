package dev.punchd.bench.scale;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** The scale baseline: N plain TCP connections on loopback, all dialled at once, accepted by one thread. */
final class TcpConnectBaseline {
  private TcpConnectBaseline() {}

  /** Time from the first connect to the last connection accepted. */
  static Duration connect(int count) throws Exception {
    List<Socket> sockets = new ArrayList<>(2 * count);
    try (ServerSocket listener = new ServerSocket();
        ExecutorService dialers = Executors.newVirtualThreadPerTaskExecutor()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), count);
      long start = System.nanoTime();
      List<Future<Socket>> dialled = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        dialled.add(dialers.submit(() -> new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())));
      }
      for (int i = 0; i < count; i++) {
        sockets.add(listener.accept());
      }
      for (Future<Socket> socket : dialled) {
        sockets.add(socket.get());
      }
      return Duration.ofNanos(System.nanoTime() - start);
    } finally {
      for (Socket socket : sockets) {
        closeQuietly(socket);
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // nothing to do: the baseline is over
    }
  }
}
