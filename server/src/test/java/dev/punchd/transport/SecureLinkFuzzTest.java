package dev.punchd.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.punchd.testing.ScriptedSocket;
import java.io.IOException;
import java.util.Arrays;

/**
 * SecureLink's frames (NOMINATE, DATA, FIN, CLOSE) as an authenticated but malicious peer may send them,
 * after the TLS layer: the first byte picks whether the bytes answer a nomination wait or are read as the
 * data stream. Reading ends with data, end of stream or an IOException (protocol error, truncation,
 * PeerClosedException); never with another exception, never by reading past a frame's bounds.
 */
class SecureLinkFuzzTest {

  @FuzzTest(maxDuration = "20s")
  void readFrames(byte[] input) throws IOException {
    if (input.length == 0) {
      return;
    }
    SecureLink link = new SecureLink(new ScriptedSocket(Arrays.copyOfRange(input, 1, input.length)));
    try {
      if ((input[0] & 1) == 0 && !link.awaitNomination(100)) {
        return;
      }
      byte[] buffer = new byte[link.readSize()];
      while (link.read(buffer) >= 0) {
        // each read consumes at least a byte, so a finite input ends the loop
      }
    } catch (IOException expected) {
      // protocol error, truncation, or the peer's CLOSE
    } finally {
      link.close();
    }
  }
}
