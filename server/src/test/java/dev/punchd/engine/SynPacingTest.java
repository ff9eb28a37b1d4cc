package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
    AddressPace pace = new AddressPace(false, new SplittableRandom(1));
    for (int i = 0; i < 5 * AddressPace.REFUSALS_PER_DOUBLING; i++) {
      pace.refused(i * AddressPace.MAX_SPACING.toNanos(), FAST_REFUSAL);
    }
    long now = 10 * 5 * AddressPace.REFUSALS_PER_DOUBLING * AddressPace.MAX_SPACING.toNanos();
    pace.refused(now, FAST_REFUSAL);
    assertThat(pace.nextSynAt(now) - now).isBetween(AddressPace.MAX_SPACING.toNanos(),
        2 * AddressPace.MAX_SPACING.toNanos());
    pace.notRefused();
    assertThat(pace.nextSynAt(now)).isEqualTo(now);
    pace.refused(now, FAST_REFUSAL);
    assertThat(pace.nextSynAt(now) - now).isBetween(AddressPace.MIN_SPACING.toNanos(),
        2 * AddressPace.MIN_SPACING.toNanos());
  }

  @Test
  void aRefusalIsFollowedByAtLeastOneRoundTrip() {
    AddressPace pace = new AddressPace(false, new SplittableRandom(2));
    long roundTrip = Duration.ofMillis(40).toNanos();
    pace.refused(0, roundTrip);
    assertThat(pace.nextSynAt(0)).isBetween(roundTrip, roundTrip + AddressPace.MIN_SPACING.toNanos());
  }

  /**
   * Two sides re-dialling refused addresses must not stay in step: their SYNs cross (so the punch
   * connects) only when both leave within about a one-way delay of each other, tens of microseconds in the
   * zero-delay lab. At a fixed spacing a 1 ms phase difference stayed 1 ms but for scheduling noise (natlab:
   * medians up to 1.1 s); with a random moment per slot a crossing comes within a few hundred slots.
   */
  @Test
  void twoSidesReDiallingRefusalsDoNotStayInStep() {
    long window = 36_000; // |a - b| below this crosses: the zero-delay lab's NAT-to-NAT round trip
    for (long seed = 0; seed < 20; seed++) {
      AddressPace a = new AddressPace(false, new SplittableRandom(seed));
      AddressPace b = new AddressPace(false, new SplittableRandom(seed + 1000));
      long atA = 0;
      long atB = Duration.ofMillis(1).toNanos();
      int slots = 0;
      while (Math.abs(atA - atB) >= window) {
        assertThat(slots++).as("slots without a crossing, seeds %d and %d", seed, seed + 1000).isLessThan(400);
        a.refused(atA, FAST_REFUSAL);
        b.refused(atB, FAST_REFUSAL);
        atA = a.nextSynAt(atA);
        atB = b.nextSynAt(atB);
      }
    }
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
