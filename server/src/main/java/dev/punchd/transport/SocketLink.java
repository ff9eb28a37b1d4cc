package dev.punchd.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** What every {@link Link} over one TCP socket shares: its addresses and closing it. Thread-safe. */
abstract class SocketLink implements Link {
  final Socket socket;
  private volatile boolean handedOver; // the descriptor belongs to someone else: closing is theirs

  SocketLink(Socket socket) throws IOException {
    this.socket = socket;
    socket.setTcpNoDelay(true);
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) socket.getRemoteSocketAddress();
  }

  /** From now on the socket's descriptor is someone else's to close: this link never closes it. */
  final void handOver() {
    handedOver = true;
  }

  @Override
  public void close() {
    if (handedOver) {
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do about a failing close
    }
  }

  /** Closes with SO_LINGER 0: the kernel sends a reset and forgets the connection at once. */
  @Override
  public void reset() {
    closeWithLinger(0);
  }

  /** Closes the socket with SO_LINGER {@code seconds} (0: a reset). */
  final void closeWithLinger(int seconds) {
    if (handedOver) {
      return;
    }
    try {
      socket.setSoLinger(true, seconds);
    } catch (IOException ignored) {
      // already closed, or closing will do without
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do about a failing close
    }
  }
}
