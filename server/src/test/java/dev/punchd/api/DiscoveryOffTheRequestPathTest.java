package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.punchd.discovery.PublicIpProviders;
import dev.punchd.testing.InProcessSidecar;
import dev.punchd.testing.Pair;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.GetAddressesResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GetAddresses against a discovery service on loopback that stalls or fails: it answers within the
 * discovery bound (1 s) with what it has, says what was not discovered, and asks the service once.
 */
class DiscoveryOffTheRequestPathTest {
  private static final Duration BOUND_WITH_SLACK = Duration.ofMillis(1500);

  private final AtomicInteger requests = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private HttpServer server;
  private volatile int status = 200;
  private volatile boolean stall;

  @BeforeEach
  void startService() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      if (stall) {
        try {
          released.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = "203.0.113.7".getBytes();
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopService() {
    released.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }

  @Test
  void aStalledServiceCostsEachGetAddressesAtMostTheBoundAndOneRequest() throws Exception {
    stall = true;
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withPublicIp(PublicIpProviders.parse(url())))) {
      // Calls while the lookup runs are told it is still running; once it times out (3 s), they are told that.
      String error = "";
      for (int call = 0; call < 10 && !error.contains("got no answer within 3000 ms"); call++) {
        long start = System.nanoTime();
        GetAddressesResponse response = Pair.allocate(sidecar, ConnectionOptions.getDefaultInstance());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(BOUND_WITH_SLACK);
        assertThat(response.getLocalAddressesList()).isNotEmpty();
        assertThat(response.getPublicAddressesList()).isEmpty();
        error = response.getDiscoveryError();
        assertThat(error).contains(url()).containsAnyOf("did not answer within 1000 ms", "got no answer within 3000 ms");
        assertThat(requests.get()).as("one lookup in flight, not one per call").isEqualTo(1);
      }
      assertThat(error).contains("got no answer within 3000 ms");

      long start = System.nanoTime();
      assertThat(Pair.allocate(sidecar, ConnectionOptions.getDefaultInstance()).getDiscoveryError())
          .as("the failure is cached").contains("got no answer within 3000 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
      assertThat(requests.get()).isEqualTo(1);
    }
  }

  @Test
  void aFailingServiceIsAskedOnceAndEveryGetAddressesSaysWhy() throws Exception {
    status = 503;
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withPublicIp(PublicIpProviders.parse(url())))) {
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        GetAddressesResponse response = Pair.allocate(sidecar, ConnectionOptions.getDefaultInstance());

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(BOUND_WITH_SLACK);
        // The first call may be told the lookup is still running (a loaded machine answers slowly).
        assertThat(response.getDiscoveryError()).containsAnyOf("HTTP 503", i == 0 ? "still trying" : "HTTP 503");
      }
      assertThat(requests.get()).isEqualTo(1);
    }
  }

  @Test
  void aWorkingServiceGivesThePublicAddressOnTheConnectionsPort() throws Exception {
    try (InProcessSidecar sidecar = InProcessSidecar.start(s -> s.withPublicIp(PublicIpProviders.parse(url())))) {
      // On a loaded machine the first call may be told the lookup is still running.
      GetAddressesResponse response = Pair.allocate(sidecar, ConnectionOptions.getDefaultInstance());
      for (int call = 0; call < 10 && response.getPublicAddressesCount() == 0; call++) {
        assertThat(response.getDiscoveryError()).contains("still trying");
        response = Pair.allocate(sidecar, ConnectionOptions.getDefaultInstance());
      }

      String port = response.getLocalAddresses(0).replaceAll("^.*:", "");
      assertThat(response.getPublicAddressesList()).containsExactly("203.0.113.7:" + port);
      assertThat(response.getDiscoveryError()).isEmpty();
      assertThat(Pair.allocate(sidecar, ConnectionOptions.getDefaultInstance()).getPublicAddressesList()).hasSize(1);
      assertThat(requests.get()).isEqualTo(1);
    }
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }
}
