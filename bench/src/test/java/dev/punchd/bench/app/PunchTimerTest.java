package dev.punchd.bench.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PunchTimerTest {
  @Test
  void theSideWhoseCallStartedLaterIsTheLaterCaller() {
    assertThat(PunchTimer.aCalledLater(true, 100, 200)).as("A first, B second and later").isFalse();
    assertThat(PunchTimer.aCalledLater(false, 100, 200)).as("B first, A second and later").isTrue();
    assertThat(PunchTimer.aCalledLater(true, 200, 100)).as("released at once, B's call started first").isTrue();
    assertThat(PunchTimer.aCalledLater(false, 200, 100)).as("released at once, A's call started first").isFalse();
  }
}
