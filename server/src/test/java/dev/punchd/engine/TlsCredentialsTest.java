package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TlsCredentialsTest {
  @Test
  void ephemeralCredentialsHaveAFingerprintOfTheirOwnPerConnection() {
    Supplier<Credentials> ephemeral = TlsCredentials.ephemeral();
    Set<String> fingerprints = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      fingerprints.add(ephemeral.get().fingerprint());
    }
    assertThat(fingerprints).hasSize(5);
  }
}
