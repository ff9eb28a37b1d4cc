package dev.punchd.natlab;

import static dev.punchd.natlab.LabSetup.Inbound.RST;
import static dev.punchd.natlab.LabSetup.Nat.CONE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.natlab.PunchSession.Outcome;
import dev.punchd.natlab.PunchSession.Route;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The mapping opener ({@code --opener-ttl 2}) through routers that answer unsolicited SYNs with RST, both
 * calls at once, ISP routers that drop expired packets silently. A dial of ours that reaches the peer's NAT before the peer's own SYN
 * left is refused (the RST also ends our NAT's flow); the opener dial sent right after keeps a flow open in
 * our NAT and a socket in SYN-SENT, so the peer's first SYN connects instead of being refused in turn.
 * Asserted from the routers' own counters, not from timing: over {@link #RUNS} punches the NATs together
 * answer at most {@link #REFUSALS_PER_PUNCH} SYNs per punch with a RST (the first dial of each side when
 * both cross before either NAT has a flow); without openers the two sides' re-dials are refused until
 * they happen to cross (dozens to thousands per punch: {@code -Dnatlab.opener.ttl=0} shows it). Needs root
 * (skips loudly, fails under CI=true).
 */
@Tag("natlab")
class NatLabOpenerTest extends LabTestBase {
  private static final int RUNS = Integer.getInteger("natlab.opener.runs", 6);
  private static final int REFUSALS_PER_PUNCH = 3;
  private static final Duration WINDOW = Duration.ofSeconds(20);
  private static final Duration OUTCOME_MARGIN = Duration.ofSeconds(5);

  NatLabOpenerTest() {
    super("open", "natlab-opener.md");
  }

  @Test
  void thePeersSynMeetsTheOpenerInsteadOfBeingRefused() throws Exception {
    LabSetup setup = LabSetup.full(CONE, CONE, RST);
    List<String> flags = new ArrayList<>(LabSidecar.REFLECTOR_DISCOVERY);
    flags.addAll(List.of("--opener-ttl", System.getProperty("natlab.opener.ttl", "2"))); // 0: the control run
    List<LabSidecar> sides = fixture.use(setup, flags, "a1", "b1");
    lab.fault("isp-a", "time-exceeded", "off");
    lab.fault("isp-b", "time-exceeded", "off");
    long before = refusalsByNats();
    List<Long> times = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      SecurityMode mode = run % 2 == 0 ? SecurityMode.RAW : SecurityMode.SECURE;
      ConnectionOptions options = ConnectionOptions.newBuilder().setSecurity(mode)
          .setAttemptTimeoutMs((int) WINDOW.toMillis()).build();
      try (PunchSession session = PunchSession.attemptApart(lab, sides.get(0), sides.get(1), options, Duration.ZERO,
          run % 2 == 0)) {
        Outcome outcome = session.awaitOutcome(WINDOW.plus(OUTCOME_MARGIN));
        session.assertEstablishedVia(outcome, Route.PUBLIC);
        times.add(outcome.afterLaterCall().toMillis());
        matrix.add(new Matrix.Row(mode + ", calls at once, run " + (run + 1), setup.describe(), "a1 <-> b1",
            "connected", outcome.afterLaterCall().toMillis() + " ms after the later call"));
      }
    }
    long refusals = refusalsByNats() - before;
    matrix.note("RSTs the NATs sent over " + RUNS + " punches: " + refusals);
    assertThat(refusals)
        .as("SYNs the NATs refused over %d punches (ms after the later call: %s)", RUNS, times)
        .isLessThanOrEqualTo((long) REFUSALS_PER_PUNCH * RUNS);
  }

  /** RSTs both NAT routers' own TCP stacks have sent so far (answers to SYNs they had no flow for). */
  private long refusalsByNats() throws Exception {
    return outRsts("nat-a") + outRsts("nat-b");
  }

  private long outRsts(String router) throws Exception {
    List<String> tcp = lab.run(router, "cat", "/proc/net/snmp").lines().filter(line -> line.startsWith("Tcp:")).toList();
    List<String> names = List.of(tcp.get(0).split("\\s+"));
    String[] values = tcp.get(1).split("\\s+");
    return Long.parseLong(values[names.indexOf("OutRsts")]);
  }
}
