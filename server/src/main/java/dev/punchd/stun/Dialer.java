package dev.punchd.stun;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Opens the TCP connection a STUN or TURN exchange runs over. Discovery passes one that dials from a
 * connection's shared port (so the server observes that port's NAT mapping); {@link #ephemeral()} dials from
 * any free port. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Dialer {

  /** A connected socket to {@code server}, waiting at most {@code timeoutMillis} for the connection. */
  Socket dial(InetSocketAddress server, int timeoutMillis) throws IOException;

  /** Dials from an ephemeral local port. */
  static Dialer ephemeral() {
    return (server, timeoutMillis) -> {
      Socket socket = new Socket();
      try {
        socket.connect(server, timeoutMillis);
        return socket;
      } catch (IOException e) {
        socket.close();
        throw e;
      }
    };
  }
}
