package dev.punchd.natlab;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * coturn on the lab's {@code pub} ({@code natlab/coturn start --rfc5780}) for the natlab tests that need STUN
 * or TURN: started once the sidecars of a setup run, kept while the setup stays, stopped (and started again
 * in the new lab) when a test asks for another setup, and stopped at {@link #close()}. Not thread-safe: one
 * test at a time.
 */
final class LabCoturn implements AutoCloseable {
  /** coturn's STUN and TURN address on {@code pub}. */
  static final String ADDRESS = "203.0.113.10:3478";
  /** How {@code --turn} names it (without the password), as {@code Established.relay} reports it. */
  static final String RELAY = "turn://alice@" + ADDRESS;
  /** The reflector for the public IP and coturn for STUN. */
  static final List<String> STUN = Stream.concat(LabSidecar.REFLECTOR_DISCOVERY.stream(),
      Stream.of("--stun", "stun://" + ADDRESS)).toList();
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private final LabFixture fixture;
  private LabSetup runningIn; // the setup whose lab coturn runs in, null when it is not running

  LabCoturn(LabFixture fixture) {
    this.fixture = fixture;
  }

  /** {@link #STUN} plus {@code --turn} with coturn's credentials and {@code extra} flags. */
  static List<String> stunAndTurn(String... extra) {
    return Stream.of(STUN.stream(), Stream.of("--turn", "turn://alice:secret@" + ADDRESS), Stream.of(extra))
        .flatMap(s -> s).toList();
  }

  /** Sidecars in {@code hosts} of the lab built as {@code setup} says, started with {@code flags}, and coturn. */
  List<LabSidecar> use(LabSetup setup, List<String> flags, String... hosts) throws Exception {
    if (!setup.equals(runningIn)) {
      stop();
    }
    List<LabSidecar> sides = fixture.use(setup, flags, hosts);
    if (runningIn == null) {
      Commands.run(fixture.lab().coturn("start", "--rfc5780"), COMMAND_TIMEOUT).orThrow();
      runningIn = setup;
    }
    return sides;
  }

  /** Stops coturn if it runs; idempotent. */
  @Override
  public void close() throws Exception {
    stop();
  }

  private void stop() throws Exception {
    if (runningIn != null) {
      Commands.run(fixture.lab().coturn("stop"), COMMAND_TIMEOUT).orThrow();
      runningIn = null;
    }
  }
}
