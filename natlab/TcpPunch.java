import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A bare TCP simultaneous open, for watching a punch by hand without punchd: dials the peer again and
 * again (jittered pauses) from one fixed local port until a connection forms or the time is up, then both sides swap a
 * line. Run it on both hosts at about the same time, each naming the other's public address:
 *
 * <pre>
 *   natlab/lab exec a1 java natlab/TcpPunch.java 40000 203.0.113.2:40000
 *   natlab/lab exec b1 java natlab/TcpPunch.java 40000 203.0.113.1:40000
 * </pre>
 *
 * Exit status: 0 connected and a line exchanged, 1 no connection in time, 2 usage error.
 */
public final class TcpPunch {

  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(2);

  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 4) {
      System.err.println(
          "usage: java TcpPunch.java LOCAL_PORT PEER_IP:PEER_PORT [TIMEOUT_SECONDS [RETRY_PAUSE_MS]]");
      System.exit(2);
    }
    int localPort = Integer.parseInt(args[0]);
    InetSocketAddress peer = parsePeer(args[1]);
    Duration timeout = Duration.ofSeconds(args.length >= 3 ? Long.parseLong(args[2]) : 30);
    Duration retryPause = Duration.ofMillis(args.length == 4 ? Long.parseLong(args[3]) : 100);

    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    int attempts = 0;
    IOException lastError = null;
    while (System.nanoTime() < deadline) {
      attempts++;
      Socket socket = new Socket();
      try {
        socket.setReuseAddress(true);
        socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        socket.bind(new InetSocketAddress(localPort));
        socket.connect(peer, (int) ATTEMPT_TIMEOUT.toMillis());
      } catch (IOException e) {
        socket.close();
        lastError = e;
        // Pacing between dials, jittered (0.5x to 1.5x) so two peers do not stay in lock step.
        long pauseMillis = retryPause.toMillis();
        Thread.sleep(pauseMillis / 2 + ThreadLocalRandom.current().nextLong(pauseMillis + 1));
        continue;
      }
      long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
      System.out.printf("connected %s -> %s after %d ms, %d attempt(s)%n",
          socket.getLocalSocketAddress(), socket.getRemoteSocketAddress(), millis, attempts);
      exchangeLine(socket);
      System.exit(0);
    }
    System.out.printf("no connection to %s within %s after %d attempt(s); last error: %s%n",
        peer, timeout, attempts, lastError);
    System.exit(1);
  }

  private static InetSocketAddress parsePeer(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("peer must be IP:PORT, got '" + text + "'");
    }
    return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
  }

  private static void exchangeLine(Socket socket) throws IOException {
    try (socket) {
      socket.setSoTimeout(10_000);
      var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
      var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      out.println("hello from " + socket.getLocalSocketAddress());
      System.out.println("peer says: " + in.readLine());
    }
  }
}
