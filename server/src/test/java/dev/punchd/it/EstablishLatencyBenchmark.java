package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.Pair;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.SecurityMode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Loopback numbers for establishment: {@code Established.establish_millis} of SECURE (hello, TLS 1.3,
 * nomination) against RAW (no handshake; IPv4 loopback is kept at once, see RawHandshaker), on the side
 * that attempted first (A, whose clock includes B's AttemptConnection call) and on the side that attempted
 * last (B, whose peer may already have started the handshake on a connection waiting in B's backlog). Not a
 * test (its name keeps it out of the default run); run it with {@code -Dtest=EstablishLatencyBenchmark}. It
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
        long[] first = new long[ROUNDS];
        long[] last = new long[ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
          long[] both = establishMillis(a, b, options);
          first[i] = both[0];
          last[i] = both[1];
        }
        print(mode + " establishment on loopback, side attempting first", first);
        print(mode + " establishment on loopback, side attempting last", last);
      }
    }
  }

  /** Connects one pair and closes it; returns A's and B's establish_millis (A attempts first). */
  private static long[] establishMillis(TestSidecar a, TestSidecar b, ConnectionOptions options) throws Exception {
    Pair pair = Pair.attempt(a, b, options);
    Event establishedA = pair.eventsA.next();
    Event establishedB = pair.eventsB.next();
    assertThat(establishedA.hasEstablished()).as("%s", establishedA).isTrue();
    assertThat(establishedB.hasEstablished()).as("%s", establishedB).isTrue();
    a.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
    b.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idB()).build());
    return new long[] {establishedA.getEstablished().getEstablishMillis(),
        establishedB.getEstablished().getEstablishMillis()};
  }

  private static void print(String what, long[] millis) {
    Arrays.sort(millis);
    System.out.printf("%s: median %d ms (min %d, p90 %d, max %d, n=%d)%n", what, millis[millis.length / 2],
        millis[0], millis[millis.length * 9 / 10], millis[millis.length - 1], millis.length);
  }
}
