package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.engine.EventLoops;
import dev.punchd.testing.UnixSocketChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's Unix socket: owner-only from its first moment, never taking a path from anyone. */
class UnixSocketPathTest {
  private static final EventLoops LOOPS = EventLoops.start();

  @AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  @Test
  void theServerBindsInAnOwnerOnlyDirectoryAndTheSocketAppearsOwnerOnly(@TempDir Path dir) throws Exception {
    Path target = dir.resolve("api.sock");
    UnixSocketPath path = UnixSocketPath.claim(target);

    assertThat(mode(path.bindPath().getParent())).isEqualTo("rwx------");
    try (ServerSocketChannel server = bind(path.bindPath())) {
      assertThat(target).as("nothing at the configured path while the socket may be wider than 0600").doesNotExist();
      path.publish();

      assertThat(mode(target)).isEqualTo("rw-------");
      assertThat(path.bindPath().getParent()).as("private directory removed").doesNotExist();
      try (var client = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(target))) {
        assertThat(client.isConnected()).isTrue();
      }
    }
  }

  @Test
  void noObserverEverSeesTheApiSocketWithAWiderMode(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("api.sock");
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicBoolean started = new AtomicBoolean();
    Thread observer = Thread.ofPlatform().daemon().start(() -> {
      while (!started.get() || seen.isEmpty()) {
        try {
          seen.add(mode(socket));
        } catch (IOException absent) {
          // not there yet
        }
      }
    });
    try (ApiServer server = ApiServer.start(ApiEndpoint.parse("unix:" + socket), ApiSecurity.localOnly(), List.of(),
        LOOPS)) {
      started.set(true);
      observer.join(TimeUnit.SECONDS.toMillis(10));
      assertThat(seen).containsExactly("rw-------");
    }
  }

  @Test
  void aSecondInstanceOnALiveSocketRefusesToStartAndTheFirstStaysReachable(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("api.sock");
    ApiEndpoint endpoint = ApiEndpoint.parse("unix:" + socket);
    try (ApiServer first = ApiServer.start(endpoint, ApiSecurity.localOnly(), List.of(), LOOPS)) {
      assertThatThrownBy(() -> ApiServer.start(endpoint, ApiSecurity.localOnly(), List.of(), LOOPS))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("unix:" + socket).hasMessageContaining("is in use");

      try (UnixSocketChannel client = UnixSocketChannel.open(socket)) {
        assertThat(HealthGrpc.newBlockingStub(client.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance()).getStatus())
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      }
      assertThat(dir).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".punchd"));
    }
  }

  @Test
  void aStaleSocketIsReplaced(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("api.sock");
    bind(socket).close(); // leaves the socket file behind, nobody accepting on it

    try (ApiServer server = ApiServer.start(ApiEndpoint.parse("unix:" + socket), ApiSecurity.localOnly(), List.of(),
        LOOPS);
        UnixSocketChannel client = UnixSocketChannel.open(socket)) {
      assertThat(HealthGrpc.newBlockingStub(client.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
  }

  @Test
  void aRegularFileOrDirectoryAtThePathIsRefusedAndKept(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
    Path directory = Files.createDirectory(dir.resolve("sub"));

    assertThatThrownBy(() -> ApiServer.start(ApiEndpoint.parse("unix:" + file), ApiSecurity.localOnly(), List.of(),
        LOOPS))
        .hasMessageContaining("unix:" + file).hasMessageContaining("is not a socket (a regular file)");
    assertThatThrownBy(() -> ApiServer.start(ApiEndpoint.parse("unix:" + directory), ApiSecurity.localOnly(),
        List.of(), LOOPS)).hasMessageContaining("is not a socket (a directory)");

    assertThat(file).hasContent("keep me");
    assertThat(directory).isDirectory();
  }

  private static ServerSocketChannel bind(Path socket) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    return server;
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }
}
