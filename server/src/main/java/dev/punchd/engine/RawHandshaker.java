package dev.punchd.engine;

import dev.punchd.transport.Link;
import dev.punchd.transport.RawLink;
import java.io.IOException;
import java.net.Socket;
import java.util.Optional;

/** RAW mode: no handshake; the first connected candidate is the connection. Stateless. */
final class RawHandshaker implements Handshaker {
  @Override
  public Optional<Link> conclude(Socket socket, Nomination nomination, int timeoutMillis) throws HandshakeException {
    if (!nomination.tryWin()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new RawLink(socket));
    } catch (IOException e) {
      throw new HandshakeException(dev.punchd.v1.FailureReason.LOCAL_ERROR, "socket unusable: " + e.getMessage());
    }
  }
}
