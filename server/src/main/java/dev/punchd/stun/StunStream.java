package dev.punchd.stun;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * STUN messages over a TCP connection (RFC 8489 section 6.2.2: back to back, each delimited by its header's
 * length). Reads take exactly one message's bytes from the socket and nothing more, so after a ConnectionBind
 * response the socket goes on with the peer's raw bytes (RFC 6062). Sends are serialised; one thread at a
 * time may receive.
 */
public final class StunStream implements Closeable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  /** A message as received, with its bytes (for checking MESSAGE-INTEGRITY). */
  public record Received(StunMessage message, byte[] wire) {}

  public StunStream(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  public Socket socket() {
    return socket;
  }

  /** Sends a message, signed with {@code key} when it is not null. */
  public void send(StunMessage message, byte[] key) throws IOException {
    byte[] wire = StunCodec.encode(message, key, false);
    synchronized (out) {
      out.write(wire);
      out.flush();
    }
  }

  /** Waits (without bound, until the socket closes) for the next message. */
  public Received receive() throws IOException {
    return receive(0);
  }

  /**
   * Sends {@code request} and waits at most {@code timeout} for its response; other messages arriving
   * meanwhile are skipped.
   */
  public Received exchange(StunMessage request, byte[] key, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + Math.max(1, timeout.toNanos());
    send(request, key);
    while (true) {
      Received received = receive(deadline);
      if (received.message().answers(request)) {
        return received;
      }
    }
  }

  private Received receive(long deadlineNanos) throws IOException {
    byte[] header = new byte[StunCodec.HEADER_BYTES];
    readFully(header, 0, deadlineNanos);
    int total = StunCodec.totalLength(header);
    byte[] wire = new byte[total];
    System.arraycopy(header, 0, wire, 0, header.length);
    readFully(wire, header.length, deadlineNanos);
    return new Received(StunCodec.decode(wire), wire);
  }

  private void readFully(byte[] buffer, int from, long deadlineNanos) throws IOException {
    int at = from;
    while (at < buffer.length) {
      if (deadlineNanos != 0) {
        long remainingMillis = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
        if (deadlineNanos - System.nanoTime() <= 0) {
          throw new SocketTimeoutException("no whole STUN message within the time allowed");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
      } else {
        socket.setSoTimeout(0);
      }
      int n = in.read(buffer, at, buffer.length - at);
      if (n < 0) {
        throw new IOException("connection closed " + (at == 0 ? "before a STUN message" : "inside a STUN message"));
      }
      at += n;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
