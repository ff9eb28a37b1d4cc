package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.await;
import static dev.punchd.transport.tls.TlsHandshakeTest.readExactly;
import static dev.punchd.transport.tls.TlsHandshakeTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TlsSocketTest extends TwoSidedTest {
  @Test
  void buffersStaySmallForHandshakeAndChatAndWithinTheBoundUnderBulk() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      BothSides.Secured secured = sides.secure(ids, pair);
      TlsSocket client = secured.client();
      TlsSocket server = secured.server();
      for (int i = 0; i < 10; i++) {
        write(client, new byte[100]);
        readExactly(server, 100);
        write(server, new byte[1000]);
        readExactly(client, 1000);
      }
      assertThat(client.bufferBytes()).as("client after handshake and chat").isEqualTo(3 * TlsSocket.INITIAL);
      assertThat(server.bufferBytes()).as("server after handshake and chat").isEqualTo(3 * TlsSocket.INITIAL);

      byte[] bulk = new byte[8 << 20];
      new Random(1).nextBytes(bulk);
      Future<byte[]> received = sides.run(() -> readExactly(server, bulk.length));
      for (int off = 0; off < bulk.length; off += 64 * 1024) {
        client.getOutputStream().write(bulk, off, 64 * 1024);
      }
      assertThat(await(received)).isEqualTo(bulk);
      assertThat(client.bufferBytes()).as("sender after bulk").isGreaterThan(3 * TlsSocket.INITIAL)
          .isLessThanOrEqualTo(TlsSocket.HEAP);
      assertThat(server.bufferBytes()).as("receiver after bulk").isGreaterThan(3 * TlsSocket.INITIAL)
          .isLessThanOrEqualTo(TlsSocket.HEAP);
    }
  }
}
