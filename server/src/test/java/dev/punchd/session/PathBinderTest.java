package dev.punchd.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.transport.RawLink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The first path's session handshake over a loopback TCP pair. */
class PathBinderTest {
  private final PathBinder binder = new PathBinder(new SecureRandom());
  private Socket controllingEnd;
  private Socket controlledEnd;

  @AfterEach
  void closeSockets() throws IOException {
    controllingEnd.close();
    controlledEnd.close();
  }

  @Test
  void theControllingSideOpensWithoutWaitingForThePeerAndBothDeriveOneTicket() throws Exception {
    connectPair();
    // The controlled side has sent nothing: a read on the controlling side would time out and fail open.
    controllingEnd.setSoTimeout(1000);

    PathBinder.BoundPath controlling = binder.open(new RawLink(controllingEnd), true);
    PathBinder.BoundPath controlled = binder.open(new RawLink(controlledEnd), false);

    assertThat(controlled.ticket().idHex()).isEqualTo(controlling.ticket().idHex());
  }

  private void connectPair() throws IOException {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      controllingEnd = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
      controlledEnd = listener.accept();
    }
  }
}
