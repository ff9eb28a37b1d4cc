package dev.punchd.engine;

import dev.punchd.transport.Link;
import java.io.IOException;
import java.net.Socket;
import java.util.Optional;

/**
 * Turns one freshly connected candidate socket into the connection's {@link Link}, or reports that the
 * candidate lost the nomination. Implementations are thread-safe: several candidates run at once.
 */
interface Handshaker {

  /**
   * @param nomination shared by every candidate of one attempt; at most one candidate wins it
   * @param timeoutMillis bound on the handshake and on waiting for the peer's nomination
   * @return the link if this candidate is the connection, empty if another candidate was chosen
   * @throws HandshakeException when the peer failed to authenticate or broke the protocol
   */
  Optional<Link> conclude(Socket socket, Nomination nomination, int timeoutMillis) throws HandshakeException;

  /** A candidate whose handshake failed, with the reason the attempt reports if nothing better happens. */
  final class HandshakeException extends IOException {
    private final dev.punchd.v1.FailureReason reason;
    private final boolean timedOut;

    HandshakeException(dev.punchd.v1.FailureReason reason, String message) {
      this(reason, message, false);
    }

    /** @param timedOut the peer was silent until the candidate's deadline: says less than any other failure */
    HandshakeException(dev.punchd.v1.FailureReason reason, String message, boolean timedOut) {
      super(message);
      this.reason = reason;
      this.timedOut = timedOut;
    }

    dev.punchd.v1.FailureReason reason() {
      return reason;
    }

    boolean timedOut() {
      return timedOut;
    }
  }
}
