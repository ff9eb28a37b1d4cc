package dev.punchd.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The hello commits to both fingerprints without revealing them, and its parser rejects anything else. */
class FingerprintHelloTest {
  private static final String OWN = "1a".repeat(32);
  private static final String EXPECTED = "9c".repeat(32);

  @Test
  void aHelloChecksAgainstTheFingerprintsItWasMadeFrom() throws IOException {
    FingerprintHello.Parsed hello = FingerprintHello.parse(FingerprintHello.encode(OWN, EXPECTED));
    assertThat(hello.senderIs(OWN)).isTrue();
    assertThat(hello.senderExpects(EXPECTED)).isTrue();
    assertThat(hello.senderIs(EXPECTED)).isFalse();
    assertThat(hello.senderExpects(OWN)).isFalse();
  }

  @Test
  void aHelloRevealsNeitherFingerprintAndNeverRepeats() {
    byte[] first = FingerprintHello.encode(OWN, EXPECTED);
    byte[] second = FingerprintHello.encode(OWN, EXPECTED);
    String text = HexFormat.of().formatHex(first);
    assertThat(text).doesNotContain(OWN.substring(0, 8)).doesNotContain(EXPECTED.substring(0, 8));
    assertThat(first).hasSize(FingerprintHello.LENGTH).isNotEqualTo(second);
  }

  @Test
  void anythingButAHelloOfThisVersionIsRejected() {
    byte[] hello = FingerprintHello.encode(OWN, EXPECTED);
    byte[] otherVersion = hello.clone();
    otherVersion[4] = 1;
    byte[] otherMagic = hello.clone();
    otherMagic[0] = 'X';
    assertThatThrownBy(() -> FingerprintHello.parse(otherVersion)).hasMessageContaining("hello version 1");
    assertThatThrownBy(() -> FingerprintHello.parse(otherMagic)).hasMessageContaining("no PNCH hello");
    assertThatThrownBy(() -> FingerprintHello.parse(new byte[3])).hasMessageContaining("85 bytes");
  }
}
