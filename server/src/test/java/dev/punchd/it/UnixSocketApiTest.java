package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import dev.punchd.Sidecar;
import dev.punchd.api.ApiEndpoint;
import dev.punchd.cli.ServeCommand;
import dev.punchd.engine.TlsCredentials;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.EventRecorder;
import dev.punchd.testing.Pair;
import dev.punchd.testing.SidecarApi;
import dev.punchd.testing.StreamClient;
import dev.punchd.testing.TestSidecar;
import dev.punchd.testing.UnixSocketChannel;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.StreamRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The API on a Unix domain socket: every RPC through it, the socket private to its owner. */
class UnixSocketApiTest {

  @Test
  void everyRpcWorksOverAUnixSocket(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("punchd.sock");
    try (Sidecar sidecar = Sidecar.start(ApiEndpoint.parse("unix:" + socket), TestSidecar.testSettings(),
            TlsCredentials.ephemeral());
        TestSidecar peer = TestSidecar.start()) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
      try (UnixSocketChannel client = UnixSocketChannel.open(socket)) {
        ManagedChannel channel = client.channel();
        SidecarApi unix = SidecarApi.over(channel);
        assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

        Pair pair = Pair.attempt(unix, peer, ConnectionOptions.getDefaultInstance());
        pair.awaitEstablished();
        StreamClient overSocket = StreamClient.open(unix.async(), pair.idA(), true, true);
        StreamClient atPeer = StreamClient.open(peer.async(), pair.idB(), true, true);
        overSocket.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFromUtf8("over a unix socket")).build());
        Awaiting.until(Duration.ofSeconds(10), "data at the peer", () -> atPeer.receivedBytes() == 18);

        // An oversized message ends that Stream call only.
        overSocket.sendRaw(StreamRequest.newBuilder().setData(ByteString.copyFrom(new byte[2 << 20])).build());
        assertThat(overSocket.awaitEnd(Duration.ofSeconds(10)).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(atPeer.receivedBytes()).isEqualTo(18);

        unix.blocking().close(CloseRequest.newBuilder().setConnectionId(pair.idA()).build());
        assertThat(pair.eventsA.next().getClosed().getReason()).isEqualTo(CloseReason.APPLICATION);
        assertThat(EventRecorder.subscribe(unix.async(), pair.idA()).next().hasEstablished()).isTrue();
      }
    }
    assertThat(socket).as("removed on shutdown").doesNotExist();
  }

  @Test
  void aSecondSidecarGivenALiveSocketsPathRefusesToStartAndSaysSo(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("punchd.sock");
    try (Sidecar first = Sidecar.start(ApiEndpoint.parse("unix:" + socket), TestSidecar.testSettings(),
        TlsCredentials.ephemeral())) {
      StringWriter err = new StringWriter();
      CommandLine second = ServeCommand.commandLine();
      second.setErr(new PrintWriter(err));

      int status = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> second.execute("--api", "unix:" + socket,
          "--public-ip", "none", "--local-interfaces", "lo", "--metrics", "off"));

      assertThat(status).isEqualTo(CommandLine.ExitCode.USAGE);
      assertThat(err.toString()).contains("unix:" + socket).contains("is in use");
      try (UnixSocketChannel client = UnixSocketChannel.open(socket)) {
        assertThat(HealthGrpc.newBlockingStub(client.channel()).check(HealthCheckRequest.getDefaultInstance())
            .getStatus()).as("the first sidecar is still reachable").isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      }
    }
  }
}
