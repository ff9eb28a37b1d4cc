package dev.punchd.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Event;
import dev.punchd.v1.Failed;
import dev.punchd.v1.FailureReason;
import dev.punchd.v1.GetAddressesResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A sidecar attempts toward a scripted loopback peer that breaks the SECURE handshake in one way each;
 * Failed says what went wrong, per address too, and shows no more than fingerprint prefixes.
 */
class MisbehavingPeerTest {
  private static final ConnectionOptions QUICK = ConnectionOptions.newBuilder().setAttemptTimeoutMs(2000).build();
  private static final Pattern LONG_HEX = Pattern.compile("[0-9a-fA-F]{17,}");
  private static final int HELLO_BYTES = 4 + 1 + 16 + 32 + 32;
  /** A fatal handshake_failure alert record, as sent before any keys exist. */
  private static final byte[] HANDSHAKE_FAILURE_ALERT = {21, 3, 3, 0, 2, 2, 40};
  /** The fingerprint the sidecar is told to expect; the scripted peer claims it. */
  private static final String CLAIMED = "c0ffee".repeat(10) + "0123";

  /** What the scripted peer does with each connection, and what the sidecar must then report. */
  enum Script {
    HANGS_UP_AT_ONCE("peer closed the connection during the TLS handshake"),
    NOT_PUNCHD("peer is not speaking punchd (no PNCH hello)"),
    NEWER_HELLO_VERSION("peer speaks punchd hello version 3, this side 2"),
    CLOSES_AFTER_THE_HELLO("peer closed the connection during the TLS handshake"),
    SENDS_A_TLS_ALERT("peer sent TLS alert handshake_failure");

    final String reported;

    Script(String reported) {
      this.reported = reported;
    }
  }

  @ParameterizedTest
  @EnumSource(Script.class)
  void failedSaysWhatTheMisbehavingPeerDid(Script script) throws Exception {
    try (TestSidecar a = TestSidecar.start(); ScriptedPeer peer = ScriptedPeer.start(script)) {
      GetAddressesResponse addressesA = Pair.allocate(a, QUICK);
      EventRecorder events = EventRecorder.subscribe(a.async(), addressesA.getConnectionId());
      peer.expectedByThePeer = addressesA.getFingerprint();
      String peerAddress = "127.0.0.1:" + peer.port();
      a.blocking().attemptConnection(AttemptConnectionRequest.newBuilder()
          .setConnectionId(addressesA.getConnectionId()).addPeerAddresses(peerAddress).setPeerFingerprint(CLAIMED)
          .build());

      Event event = events.next();
      assertThat(event.hasFailed()).as("%s", event).isTrue();
      Failed failed = event.getFailed();
      assertThat(failed.getReason()).isEqualTo(FailureReason.HANDSHAKE_FAILED);
      assertThat(failed.getMessage()).contains(script.reported).contains("no authenticated connection within 2000 ms")
          .doesNotContainPattern(LONG_HEX);
      assertThat(failed.getAddressErrorsList()).singleElement().satisfies(error -> {
        assertThat(error.getAddress()).isEqualTo(peerAddress);
        assertThat(error.getAttempts()).isPositive();
        assertThat(error.getError()).contains(script.reported).doesNotContainPattern(LONG_HEX);
      });
    }
  }

  /** A loopback listener that runs its script on every connection it accepts. */
  private static final class ScriptedPeer implements AutoCloseable {
    private final ServerSocket listener;
    private final Script script;
    private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();
    volatile String expectedByThePeer;

    private ScriptedPeer(ServerSocket listener, Script script) {
      this.listener = listener;
      this.script = script;
    }

    static ScriptedPeer start(Script script) throws IOException {
      ScriptedPeer peer = new ScriptedPeer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), script);
      Thread.ofVirtual().name("scripted-peer").start(peer::acceptLoop);
      return peer;
    }

    int port() {
      return listener.getLocalPort();
    }

    private void acceptLoop() {
      try {
        while (true) {
          Socket socket = listener.accept();
          accepted.add(socket);
          Thread.ofVirtual().start(() -> play(socket));
        }
      } catch (IOException closed) {
        // the test is over
      }
    }

    private void play(Socket socket) {
      try (socket) {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        switch (script) {
          case HANGS_UP_AT_ONCE -> { }
          case NOT_PUNCHD -> {
            out.write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(US_ASCII));
            in.transferTo(OutputStream.nullOutputStream());
          }
          case NEWER_HELLO_VERSION -> {
            out.write(hello(3));
            in.transferTo(OutputStream.nullOutputStream());
          }
          case CLOSES_AFTER_THE_HELLO -> {
            in.readNBytes(HELLO_BYTES);
            out.write(hello(2));
          }
          case SENDS_A_TLS_ALERT -> {
            in.readNBytes(HELLO_BYTES);
            out.write(hello(2));
            out.write(HANDSHAKE_FAILURE_ALERT);
            in.transferTo(OutputStream.nullOutputStream());
          }
        }
      } catch (IOException e) {
        // the sidecar gave up on this connection first
      }
    }

    /**
     * The hello of docs/wire-protocol.md: "PNCH", version, nonce, then the commitments to the claimed own
     * fingerprint and to the expected peer fingerprint.
     */
    private byte[] hello(int version) {
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      ByteArrayOutputStream hello = new ByteArrayOutputStream();
      hello.writeBytes("PNCH".getBytes(US_ASCII));
      hello.write(version);
      hello.writeBytes(nonce);
      hello.writeBytes(commit("punchd is", nonce, CLAIMED));
      hello.writeBytes(commit("punchd expects", nonce, expectedByThePeer));
      return hello.toByteArray();
    }

    private static byte[] commit(String label, byte[] nonce, String fingerprint) {
      try {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(label.getBytes(US_ASCII));
        sha256.update(nonce);
        sha256.update(HexFormat.of().parseHex(fingerprint));
        return sha256.digest();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }
}
