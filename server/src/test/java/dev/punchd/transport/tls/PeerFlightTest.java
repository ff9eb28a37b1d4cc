package dev.punchd.transport.tls;

import static dev.punchd.transport.tls.BothSides.await;
import static dev.punchd.transport.tls.TlsHandshakeTest.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeerFlightTest {
  private static final Duration LIMIT = Duration.ofMillis(200);

  private final BothSides sides = new BothSides();

  @AfterEach
  void stopSides() throws InterruptedException {
    sides.close();
  }

  @Test
  void discardsExactlyTheTwoRecordsThatFollowTheCertificate() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      pair.acceptor().setSoTimeout(1234);
      write(pair.dialer(), record(3));
      write(pair.dialer(), record(300));
      write(pair.dialer(), new byte[] {42});

      PeerFlight.discardRest(pair.acceptor(), LIMIT);

      assertThat(pair.acceptor().getInputStream().read()).isEqualTo(42);
      assertThat(pair.acceptor().getSoTimeout()).isEqualTo(1234);
    }
  }

  @Test
  void givesUpOnASilentPeer() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      write(pair.dialer(), record(3));
      Future<Void> discarding =
          sides.run(
              () -> {
                PeerFlight.discardRest(pair.acceptor(), LIMIT);
                return null;
              });

      await(discarding);
      write(pair.dialer(), new byte[] {42});
      assertThat(pair.acceptor().getInputStream().read()).isEqualTo(42);
    }
  }

  @Test
  void givesUpAtEndOfStream() throws Exception {
    try (SocketPair pair = SocketPair.open()) {
      write(pair.dialer(), new byte[] {23, 3, 3});
      pair.dialer().close();

      PeerFlight.discardRest(pair.acceptor(), LIMIT);

      assertThat(pair.acceptor().getInputStream().read()).isEqualTo(-1);
    }
  }

  /** An application_data record header followed by {@code length} payload bytes. */
  private static byte[] record(int length) {
    byte[] record = new byte[5 + length];
    record[0] = 23;
    record[1] = 3;
    record[2] = 3;
    record[3] = (byte) (length >> 8);
    record[4] = (byte) length;
    return record;
  }
}
