package dev.punchd.transport.tls;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback man in the middle for one TCP connection: relays TLS records unchanged in both
 * directions until {@link #flipOneByteOfNextRecordFromDialer()} is called, then flips one bit in
 * the payload of the next record the dialer sends. Each direction runs on its own virtual thread.
 */
final class TamperingRelay implements AutoCloseable {
  private static final int RECORD_HEADER_BYTES = 5;

  private final ServerSocket listener;
  private final SocketAddress target;
  private final AtomicBoolean tamperNextRecord = new AtomicBoolean();
  private volatile Socket fromDialer;
  private volatile Socket toTarget;

  private TamperingRelay(ServerSocket listener, SocketAddress target) {
    this.listener = listener;
    this.target = target;
  }

  /** Listens on a loopback port and, once dialled, connects to {@code target} and relays. */
  static TamperingRelay start(SocketAddress target) throws IOException {
    TamperingRelay relay =
        new TamperingRelay(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()), target);
    Thread.ofVirtual().name("relay-accept").start(relay::acceptAndRelay);
    return relay;
  }

  SocketAddress address() {
    return listener.getLocalSocketAddress();
  }

  void flipOneByteOfNextRecordFromDialer() {
    tamperNextRecord.set(true);
  }

  private void acceptAndRelay() {
    try {
      fromDialer = listener.accept();
      toTarget = new Socket();
      toTarget.connect(target);
      Thread.ofVirtual().name("relay-from-dialer").start(() -> relayRecords(fromDialer, toTarget));
      Thread.ofVirtual().name("relay-to-dialer").start(() -> relayBytes(toTarget, fromDialer));
    } catch (IOException e) {
      closeQuietly();
    }
  }

  private void relayRecords(Socket from, Socket to) {
    try (DataInputStream in = new DataInputStream(from.getInputStream())) {
      OutputStream out = to.getOutputStream();
      byte[] hello = new byte[FingerprintHello.LENGTH];
      in.readFully(hello);
      out.write(hello);
      byte[] header = new byte[RECORD_HEADER_BYTES];
      while (true) {
        in.readFully(header);
        byte[] payload = new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)];
        in.readFully(payload);
        if (payload.length > 0 && tamperNextRecord.compareAndSet(true, false)) {
          payload[payload.length / 2] ^= 0x01;
        }
        out.write(header);
        out.write(payload);
        out.flush();
      }
    } catch (IOException endOfStream) {
      closeQuietly();
    }
  }

  private void relayBytes(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException ignored) {
      // the relay is being torn down; nothing else to do with the failure
    }
  }

  @Override
  public void close() throws IOException {
    try (listener;
        Socket a = fromDialer;
        Socket b = toTarget) {
      // closes all three
    }
  }
}
