package dev.punchd.transport;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The established byte stream to the peer, whatever protects it. One thread may read while another
 * writes (and pings); {@link #abort} and {@link #close} may be called from any thread and never wait for a
 * blocked reader or writer.
 */
public interface Link extends Abortable {

  /**
   * The read buffer size that suits this link's bulk reads; each connection's reader holds one buffer, at most
   * this large (smaller until the link carries bulk data).
   */
  int readSize();

  /**
   * Reads at least one byte into {@code buffer}; -1 once the peer has finished sending (its FIN).
   *
   * @throws java.net.SocketTimeoutException when the peer sent nothing for the keepalive's peer timeout
   */
  int read(byte[] buffer) throws IOException;

  /**
   * After a {@link #read}: more bytes into {@code buffer} from {@code offset}, but only those that have already
   * arrived (or the rest of a frame or record that has begun to), so one read can take several frames and the
   * caller never waits here for the peer; 0 when nothing more is waiting, and at the peer's FIN (the next
   * {@link #read} returns -1). The default reads nothing more.
   *
   * @throws IOException as {@link #read}; the bytes read by earlier calls are the caller's to deliver first
   */
  default int readMore(byte[] buffer, int offset) throws IOException {
    return 0;
  }

  /**
   * After {@link #read} returned -1: waits, with no timeout, for the peer to end the connection. Throws
   * when it ends with a reason or breaks ({@link PeerClosedException} for the peer's Close); returns when the
   * stream simply ends, or at once where the protocol has nothing after a half-close.
   */
  void awaitPeerClose() throws IOException;

  /** Turns on keepalive and dead-peer detection; called once, before reading and writing start. */
  void keepAlive(Keepalive keepalive) throws IOException;

  /** Sends something the peer ignores, to keep the path alive; does nothing where the kernel does it. */
  void ping() throws IOException;

  /** Sends bytes in order; blocks while the peer's window is full. */
  void write(ByteString data) throws IOException;

  /** Tells the peer that no more bytes follow (half-close), after all bytes written so far. */
  void finishOutput() throws IOException;

  InetSocketAddress localAddress();

  InetSocketAddress remoteAddress();
}
