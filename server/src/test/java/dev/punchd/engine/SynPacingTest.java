package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The documented SYN bounds, on simulated time: per address while it refuses, and per sidecar. */
class SynPacingTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  /** A refusal on the lab's loopback-speed links takes microseconds. */
  private static final long FAST_REFUSAL = 20_000;

  @Test
  void anAddressRefusingForTheWholeWindowGetsBackedOffToTheBound() {
    SynPacer sidecar = new SynPacer(EngineMetrics.NONE);
    AddressPace pace = new AddressPace(false);
    long window = 60 * SECOND;
    List<Long> syns = dialWhileRefused(sidecar, pace, window);

    assertThat(countIn(syns, 0, SECOND)).as("first second").isLessThanOrEqualTo(
        (int) (SECOND / AddressPace.MIN_SPACING.toNanos()) + 1);
    for (long start = 0; start + SECOND <= window; start += SECOND / 4) {
      assertThat(countIn(syns, start, start + SECOND)).as("any second, from %d ms", start / 1_000_000)
          .isLessThanOrEqualTo((int) (SECOND / AddressPace.MIN_SPACING.toNanos()) + 1);
    }
    long backedOff = 35 * SECOND; // 2,500 refusals each at 2, 4 and 8 ms take 35 s
    for (long start = backedOff; start + SECOND <= window; start += SECOND / 4) {
      assertThat(countIn(syns, start, start + SECOND)).as("a second after backing off, from %d ms",
          start / 1_000_000).isLessThanOrEqualTo((int) (SECOND / AddressPace.MAX_SPACING.toNanos()) + 1);
    }
  }

  @Test
  void anAddressThatStopsRefusingIsDialledBrisklyAgain() {
    AddressPace pace = new AddressPace(false);
    for (int i = 0; i < 5 * AddressPace.REFUSALS_PER_DOUBLING; i++) {
      pace.refused(i, FAST_REFUSAL);
    }
    long now = 10 * SECOND;
    pace.refused(now, FAST_REFUSAL);
    assertThat(pace.nextSynAt(now) - now).isEqualTo(AddressPace.MAX_SPACING.toNanos());
    pace.notRefused();
    pace.refused(now, FAST_REFUSAL);
    assertThat(pace.nextSynAt(now) - now).isEqualTo(AddressPace.MIN_SPACING.toNanos());
  }

  @Test
  void aRefusalIsFollowedByAtLeastOneRoundTrip() {
    AddressPace pace = new AddressPace(false);
    long roundTrip = Duration.ofMillis(40).toNanos();
    pace.refused(0, roundTrip);
    assertThat(pace.nextSynAt(0)).isEqualTo(roundTrip);
  }

  @Test
  void loopbackAndOwnAddressesAreNeverRedialledFast() throws Exception {
    assertThat(AddressPace.isLocal(java.net.InetAddress.getLoopbackAddress())).isTrue();
    assertThat(AddressPace.isLocal(java.net.InetAddress.getByName("169.254.1.1"))).isTrue();
    assertThat(AddressPace.isLocal(java.net.InetAddress.getByName("203.0.113.7"))).isFalse();
    AddressPace pace = new AddressPace(true);
    pace.refused(0, FAST_REFUSAL);
    assertThat(pace.nextSynAt(0)).isEqualTo(AddressPace.LOCAL_SPACING.toNanos());
  }

  @Test
  void theSidecarSendsAtMostItsRateWhateverManyAddressesAsk() {
    SynPacer sidecar = new SynPacer(EngineMetrics.NONE);
    List<Long> syns = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      syns.add(sidecar.reserve(0)); // 20,000 dials all wanting to go at once
    }
    for (long start = 0; start + SECOND <= syns.getLast(); start += SECOND / 10) {
      assertThat(countIn(syns, start, start + SECOND)).as("SYNs in the second from %d ms", start / 1_000_000)
          .isLessThanOrEqualTo(SynPacer.BURST + SynPacer.RATE_PER_SECOND);
    }
    assertThat(countIn(syns, 0, 1)).as("the burst").isEqualTo(SynPacer.BURST);
  }

  /** One dial loop's SYN times toward an address that refuses each after {@link #FAST_REFUSAL}. */
  private static List<Long> dialWhileRefused(SynPacer sidecar, AddressPace pace, long window) {
    List<Long> syns = new ArrayList<>();
    long now = 0;
    while (true) {
      long sendAt = sidecar.reserve(pace.nextSynAt(now));
      if (sendAt >= window) {
        return syns;
      }
      syns.add(sendAt);
      now = sendAt + FAST_REFUSAL;
      pace.refused(sendAt, FAST_REFUSAL);
    }
  }

  private static int countIn(List<Long> times, long from, long to) {
    return (int) times.stream().filter(t -> t >= from && t < to).count();
  }
}
