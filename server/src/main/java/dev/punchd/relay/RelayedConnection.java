package dev.punchd.relay;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A TCP connection to a peer through a TURN relay: {@code socket} is connected to the TURN server, and after
 * the ConnectionBind exchange everything read from or written to it is the peer's byte stream. Its remote
 * address is therefore the server's; the peer's is {@code peer}. Immutable (the socket is not thread-safe
 * beyond what {@link Socket} allows).
 *
 * @param socket the data connection, already bound to the peer
 * @param peer   the peer's address as the relay sees it
 * @param relay  the TURN server in between
 */
public record RelayedConnection(Socket socket, InetSocketAddress peer, TurnServer relay) implements Closeable {
  @Override
  public void close() throws IOException {
    socket.close();
  }
}
