package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Pair;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Loopback numbers for establishment: {@code Established.establish_millis} of SECURE (hello, TLS 1.3,
 * nomination) against RAW (20 ms nomination window), measured on the side that attempted last. Not a test
 * (its name keeps it out of the default run); run it with {@code -Dtest=EstablishLatencyBenchmark}. It
 * prints its numbers and only checks that every round connected.
 */
class EstablishLatencyBenchmark {
  private static final int WARM_UP_ROUNDS = 20;
  private static final int ROUNDS = 40;

  @Test
  void establishMillisSecureAgainstRaw() throws Exception {
    try (TestSidecar a = TestSidecar.start(); TestSidecar b = TestSidecar.start()) {
      for (SecurityMode mode : new SecurityMode[] {SecurityMode.SECURE, SecurityMode.RAW}) {
        ConnectionOptions options = ConnectionOptions.newBuilder().setSecurity(mode).build();
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {
          establishMillis(a, b, options);
        }
        long[] millis = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
          millis[i] = establishMillis(a, b, options);
        }
        Arrays.sort(millis);
        System.out.printf("%s establishment on loopback: median %d ms (min %d, p90 %d, max %d, n=%d)%n", mode,
            millis[ROUNDS / 2], millis[0], millis[ROUNDS * 9 / 10], millis[ROUNDS - 1], ROUNDS);
      }
    }
  }

  /** Connects one pair and closes it; returns B's establish_millis (B attempts after A). */
  private static long establishMillis(TestSidecar a, TestSidecar b, ConnectionOptions options) throws Exception {
    Pair pair = Pair.attempt(a, b, options);
    pair.eventsA.next();
    Event established = pair.eventsB.next();
    assertThat(established.hasEstablished()).as("%s", established).isTrue();
    a.blocking().close(dev.punchd.v1.CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
    b.blocking().close(dev.punchd.v1.CloseRequest.newBuilder().setConnectionId(pair.idB()).build());
    return established.getEstablished().getEstablishMillis();
  }
}
