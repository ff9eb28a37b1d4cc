package dev.punchd.transport.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.punchd.testing.ScriptedSocket;
import java.io.IOException;
import java.time.Duration;

/**
 * The plaintext hello as a stranger or a malicious peer may send it: whatever the bytes, the exchange
 * either succeeds (the bytes were the expected hello) or fails with an IOException. Anything else (an
 * unchecked exception, a hang) is a finding.
 */
class FingerprintHelloFuzzTest {
  private static final String OWN = "0a".repeat(32);
  private static final String EXPECTED = "b1".repeat(32);

  @FuzzTest(maxDuration = "20s")
  void exchange(byte[] peerBytes) {
    try {
      FingerprintHello.exchange(new ScriptedSocket(peerBytes), OWN, EXPECTED, Duration.ofMillis(100));
    } catch (IOException expected) {
      // refused: not punchd, wrong version, wrong fingerprints, truncated
    }
  }
}
