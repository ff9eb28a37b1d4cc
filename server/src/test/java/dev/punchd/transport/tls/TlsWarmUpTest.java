package dev.punchd.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TlsWarmUpTest {
  @Test
  void runsTheAskedNumberOfCompleteHandshakes() throws Exception {
    // handshakeOnce throws unless both engines finished the handshake and each read the other's record
    assertThat(new TlsWarmUp(3, Duration.ofSeconds(30)).run()).isEqualTo(3);
  }

  @Test
  void stopsAtTheBudgetAndWhenInterrupted() throws Exception {
    assertThat(new TlsWarmUp(1000, Duration.ZERO).run()).isZero();
    Thread.currentThread().interrupt();
    try {
      assertThat(new TlsWarmUp(1000, Duration.ofSeconds(30)).run()).isZero();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aNegativeCountIsRefusedNamingIt() {
    assertThatThrownBy(() -> new TlsWarmUp(-1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
  }
}
