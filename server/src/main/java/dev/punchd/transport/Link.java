package dev.punchd.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The established byte stream to the peer, whatever protects it. One thread may read while another
 * writes; {@link #abort} and {@link #close} may be called from any thread.
 */
public interface Link extends Closeable {

  /** The read buffer size that suits this link; each connection's reader holds one such buffer. */
  int readSize();

  /** Reads at least one byte into {@code buffer}; -1 once the peer has finished sending (its FIN). */
  int read(byte[] buffer) throws IOException;

  /** Sends bytes in order; blocks while the peer's window is full. */
  void write(byte[] data, int offset, int length) throws IOException;

  /** Tells the peer that no more bytes follow (half-close), after all bytes written so far. */
  void finishOutput() throws IOException;

  /** Tells the peer, where the protocol can, why the connection ends; then closes. Never throws. */
  void abort(PeerCloseReason reason, String message);

  InetSocketAddress localAddress();

  InetSocketAddress remoteAddress();

  /** Closes the connection at once. Idempotent. */
  @Override
  void close();
}
