package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How long dials wait for an answer, on simulated time (no sockets, no clock). */
class DialTimeoutTest {
  private static final long MS = Duration.ofMillis(1).toNanos();
  private static final long WINDOW = Duration.ofSeconds(20).toNanos();
  /** A refusal through the zero-delay lab takes microseconds. */
  private static final long FAST_REFUSAL = 20_000;

  @Test
  void untilTheAddressRefusesADialWaitsForTheWholeAttempt() {
    DialTimeout timeouts = new DialTimeout();
    assertThat(timeouts.refusedBefore()).isFalse();
    assertThat(timeouts.nextNanos(WINDOW)).isEqualTo(WINDOW);
    timeouts.timedOut(); // e.g. the kernel's own retransmissions ran out: still not a refusal
    assertThat(timeouts.nextNanos(WINDOW)).isEqualTo(WINDOW);
  }

  @Test
  void afterARefusalADialIsBoundedByRoundTripsButNeverBelowWhatALoadedHostNeeds() {
    DialTimeout timeouts = new DialTimeout();
    timeouts.refused(FAST_REFUSAL);
    assertThat(timeouts.refusedBefore()).isTrue();
    assertThat(DialTimeout.MIN_AFTER_REFUSAL).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    assertThat(timeouts.nextNanos(WINDOW)).isEqualTo(DialTimeout.MIN_AFTER_REFUSAL.toNanos());
    timeouts.refused(40 * MS);
    assertThat(timeouts.nextNanos(WINDOW)).isEqualTo(DialTimeout.REFUSAL_ROUND_TRIPS * 40 * MS);
    assertThat(timeouts.nextNanos(7 * MS)).as("never past the attempt's deadline").isEqualTo(7 * MS);
  }

  /**
   * The CI livelock: the peer's answer to each dial arrives {@code lateMillis} after it left (a loaded
   * host), the address having refused once before. A dial given up before its answer arrives turns that
   * answer into a RST from our own host, which ends both NATs' flows. With a bound that never grew (20 ms
   * after a refusal, before this class) every dial of the 20 s window was given up so (885 in CI); now the
   * bound doubles until a dial outlasts the answer, after a handful of dials.
   */
  @ParameterizedTest
  @ValueSource(ints = {21, 60, 150, 400, 999})
  void dialsWhoseAnswersAreLateWaitLongerUntilOneOutlastsTheAnswer(int lateMillis) {
    DialTimeout timeouts = new DialTimeout();
    timeouts.refused(FAST_REFUSAL);
    long now = 0;
    int givenUp = 0;
    while (now < WINDOW) {
      long bound = timeouts.nextNanos(WINDOW - now);
      if (bound >= lateMillis * MS) {
        break; // this dial gets its answer
      }
      timeouts.timedOut();
      givenUp++;
      now += bound;
    }
    assertThat(now).as("a dial outlasted the answer within the window").isLessThan(WINDOW);
    assertThat(givenUp).as("dials given up while their answer was on its way (late %d ms)", lateMillis)
        .isLessThanOrEqualTo(5);
  }

  @Test
  void theBoundGrowsToItsMaximumAndAnAnswerResetsIt() {
    DialTimeout timeouts = new DialTimeout();
    timeouts.refused(FAST_REFUSAL);
    long previous = timeouts.nextNanos(WINDOW);
    for (int i = 0; i < 40; i++) {
      timeouts.timedOut();
      long next = timeouts.nextNanos(WINDOW);
      assertThat(next).isBetween(previous, DialTimeout.MAX_AFTER_REFUSAL.toNanos());
      previous = next;
    }
    assertThat(previous).isEqualTo(DialTimeout.MAX_AFTER_REFUSAL.toNanos());
    timeouts.refused(FAST_REFUSAL);
    assertThat(timeouts.nextNanos(WINDOW)).as("a refusal is an answer").isEqualTo(DialTimeout.MIN_AFTER_REFUSAL.toNanos());
    timeouts.timedOut();
    timeouts.answered();
    assertThat(timeouts.nextNanos(WINDOW)).isEqualTo(DialTimeout.MIN_AFTER_REFUSAL.toNanos());
  }
}
