package dev.punchd.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discovery against an HTTP server the test runs on loopback. */
class PublicIpProvidersTest {
  private HttpServer server;
  private final AtomicReference<String> body = new AtomicReference<>("203.0.113.7\n");
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      requests.incrementAndGet();
      byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status.get(), bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @Test
  void httpProviderReadsTheIpAndCachesIt() throws Exception {
    PublicIpProvider provider = PublicIpProviders.parse(url());

    assertThat(provider.discover().getHostAddress()).isEqualTo("203.0.113.7");
    assertThat(provider.discover().getHostAddress()).isEqualTo("203.0.113.7");
    assertThat(requests.get()).isEqualTo(1);
    assertThat(provider.describe()).isEqualTo(url());
  }

  @Test
  void httpFailuresAreReportedNamingTheService() throws Exception {
    PublicIpProvider provider = new HttpPublicIp(java.net.URI.create(url()), Duration.ofSeconds(3));
    status.set(503);
    assertThatThrownBy(provider::discover).isInstanceOf(PublicIpProvider.DiscoveryException.class)
        .hasMessageContaining("HTTP 503").hasMessageContaining(url());
    status.set(200);
    body.set("<html>not an ip</html>");
    assertThatThrownBy(provider::discover).hasMessageContaining("not an IP");
    body.set("198.51.100.1");
    assertThat(provider.discover().getHostAddress()).isEqualTo("198.51.100.1");
  }

  @Test
  void aFailureIsCachedSoRepeatedCallsAskOnce() {
    PublicIpProvider provider = PublicIpProviders.parse(url());
    status.set(503);
    // On a loaded machine the first answer may take longer than a caller waits: then it says so.
    String first = "";
    for (int call = 0; call < 10 && !first.contains("HTTP 503"); call++) {
      first = catchThrowable(provider::discover).getMessage();
      assertThat(first).containsAnyOf("HTTP 503", "still trying in the background");
    }
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(provider::discover).hasMessageContaining("HTTP 503");
    }
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void anUnreachableServiceFailsQuickly() {
    server.stop(0);
    PublicIpProvider provider = PublicIpProviders.parse(url());
    assertThatThrownBy(provider::discover).isInstanceOf(PublicIpProvider.DiscoveryException.class)
        .hasMessageContaining(url());
  }

  @Test
  void staticAndNone() throws Exception {
    assertThat(PublicIpProviders.parse("static:198.51.100.9").discover().getHostAddress()).isEqualTo("198.51.100.9");
    assertThatThrownBy(() -> PublicIpProviders.parse("none").discover()).hasMessageContaining("off");
  }

  @Test
  void unknownSpecsAreRefusedNamingThem() {
    assertThatThrownBy(() -> PublicIpProviders.parse("stun:1.2.3.4")).hasMessageContaining("'stun:1.2.3.4'");
    assertThatThrownBy(() -> PublicIpProviders.parse("static:example.com")).hasMessageContaining("example.com");
  }
}
