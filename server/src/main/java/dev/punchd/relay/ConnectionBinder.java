package dev.punchd.relay;

import dev.punchd.stun.Dialer;
import dev.punchd.stun.StunAttributes;
import dev.punchd.stun.StunMethod;
import dev.punchd.stun.StunServerException;
import dev.punchd.stun.StunStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Opens RFC 6062 data connections: a new TCP connection to the TURN server, a ConnectionBind for one
 * CONNECTION-ID, and from then on the socket carries the peer's bytes. Thread-safe.
 */
final class ConnectionBinder {
  private final TurnServer server;
  private final TurnAuth auth;
  private final Dialer dialer;
  private final Duration timeout;

  ConnectionBinder(TurnServer server, TurnAuth auth, Dialer dialer, Duration timeout) {
    this.server = server;
    this.auth = auth;
    this.dialer = dialer;
    this.timeout = timeout;
  }

  /** A data connection bound to {@code connectionId}, carrying the bytes of {@code peer}. */
  RelayedConnection bind(long connectionId, InetSocketAddress peer) throws IOException {
    Socket socket;
    try {
      socket = dialer.dial(server.address(), (int) Math.max(1, timeout.toMillis()));
    } catch (IOException e) {
      throw new StunServerException(server.toString(), "cannot open a data connection", null, e);
    }
    try {
      StunStream stream = new StunStream(socket);
      auth.call(StunMethod.CONNECTION_BIND, b -> b.addU32(StunAttributes.CONNECTION_ID, connectionId),
          (request, key) -> stream.exchange(request, key, timeout));
      socket.setSoTimeout(0);
      return new RelayedConnection(socket, peer, server);
    } catch (SocketTimeoutException e) {
      socket.close();
      throw new StunServerException(server.toString(), "no ConnectionBind response within " + timeout);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }
}
