package dev.punchd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.engine.Credentials;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.GetAddressesResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --identity-key FILE}: one fingerprint for every connection, kept across a restart, so a peer that
 * pinned it still connects. Without the flag every connection has its own.
 */
class IdentityKeyTest {
  private static final ConnectionOptions SECURE = ConnectionOptions.getDefaultInstance();

  @TempDir
  Path files;

  @Test
  void theFingerprintIsStableAcrossConnectionsAndARestartAndAPeerThatPinnedItConnects() throws Exception {
    Path keyFile = files.resolve("punchd-identity.pem");
    try (TestSidecar peer = TestSidecar.start()) {
      String pinned;
      try (TestSidecar stable = TestSidecar.start(s -> s, credentialsFrom("--identity-key", keyFile.toString()))) {
        GetAddressesResponse first = Pair.allocate(stable, SECURE);
        GetAddressesResponse second = Pair.allocate(stable, SECURE);
        assertThat(second.getFingerprint()).isEqualTo(first.getFingerprint());
        pinned = first.getFingerprint();
        connectPinned(peer, stable, first, pinned);
      }
      assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

      try (TestSidecar restarted = TestSidecar.start(s -> s, credentialsFrom("--identity-key", keyFile.toString()))) {
        GetAddressesResponse afterRestart = Pair.allocate(restarted, SECURE);
        assertThat(afterRestart.getFingerprint()).isEqualTo(pinned);
        connectPinned(peer, restarted, afterRestart, pinned);
      }
    }
  }

  @Test
  void withoutAnIdentityKeyEveryConnectionHasItsOwnFingerprint() throws Exception {
    try (TestSidecar sidecar = TestSidecar.start(s -> s, credentialsFrom())) {
      assertThat(Pair.allocate(sidecar, SECURE).getFingerprint())
          .isNotEqualTo(Pair.allocate(sidecar, SECURE).getFingerprint());
    }
  }

  /** The identities {@code punchd serve} would use with {@code args}. */
  private static Supplier<Credentials> credentialsFrom(String... args) throws Exception {
    picocli.CommandLine command = ServeCommand.commandLine();
    command.parseArgs(args);
    return command.<ServeCommand>getCommand().credentials();
  }

  /** The peer attempts toward {@code target} with the fingerprint it pinned earlier, not a fresh one. */
  private static void connectPinned(TestSidecar peer, TestSidecar target, GetAddressesResponse targetConnection,
      String pinned) throws Exception {
    GetAddressesResponse peerConnection = Pair.allocate(peer, SECURE);
    EventRecorder peerEvents = EventRecorder.subscribe(peer.async(), peerConnection.getConnectionId());
    EventRecorder targetEvents = EventRecorder.subscribe(target.async(), targetConnection.getConnectionId());
    peer.blocking().attemptConnection(Pair.attemptTowards(peerConnection.getConnectionId(), targetConnection)
        .toBuilder().setPeerFingerprint(pinned).build());
    target.blocking().attemptConnection(Pair.attemptTowards(targetConnection.getConnectionId(), peerConnection));
    for (EventRecorder events : new EventRecorder[] {peerEvents, targetEvents}) {
      Event event = events.next();
      assertThat(event.hasEstablished()).as("%s", event).isTrue();
    }
  }
}
