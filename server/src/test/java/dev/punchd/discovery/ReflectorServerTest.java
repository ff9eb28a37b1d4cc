package dev.punchd.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReflectorServerTest {

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private ReflectorServer reflector;

  @BeforeEach
  void startReflector() throws IOException {
    reflector = new ReflectorServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    reflector.start();
  }

  @AfterEach
  void closeReflector() {
    reflector.close();
    client.close();
  }

  @Test
  void answersTheCallersAddressAsPlainText() throws Exception {
    HttpResponse<String> response = get("/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("text/plain"));
    assertThat(response.body()).isEqualTo("127.0.0.1");
  }

  @Test
  void answersTheCallersAddressFromASecondLoopbackAddress() throws Exception {
    // Every 127.0.0.0/8 address is local on Linux: a client bound to 127.0.0.2 must be told 127.0.0.2.
    HttpClient boundClient = HttpClient.newBuilder()
        .localAddress(InetAddress.getByName("127.0.0.2"))
        .build();
    try (boundClient) {
      HttpResponse<String> response = boundClient.send(
          HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.body()).isEqualTo("127.0.0.2");
    }
  }

  @Test
  void answersJsonLikeIpify() throws Exception {
    HttpResponse<String> response = get("/?format=json");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    assertThat(response.body()).isEqualTo("{\"ip\":\"127.0.0.1\"}");
  }

  @Test
  void acceptsExplicitTextFormat() throws Exception {
    assertThat(get("/?format=text").body()).isEqualTo("127.0.0.1");
  }

  @Test
  void rejectsAnUnknownFormatNamingIt() throws Exception {
    HttpResponse<String> response = get("/?format=xml");

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("'xml'");
  }

  @Test
  void rejectsOtherPathsAndMethods() throws Exception {
    assertThat(get("/elsewhere").statusCode()).isEqualTo(404);

    HttpResponse<String> post = client.send(
        HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
  }

  @Test
  void reportsTheRealPortWhenAskedForAnyPort() {
    assertThat(reflector.address().getPort()).isPositive();
    assertThat(reflector.address().getAddress().isLoopbackAddress()).isTrue();
  }

  @Test
  void closeFreesThePortAndIsIdempotent() {
    URI uri = uri("/");

    reflector.close();
    reflector.close();

    assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void refusesToStartTwice() {
    assertThatThrownBy(reflector::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already started");
  }

  @Test
  void failsToStartOnAPortInUse() throws IOException {
    try (ReflectorServer second = new ReflectorServer(reflector.address())) {
      assertThatThrownBy(second::start).isInstanceOf(IOException.class);
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(uri(pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String pathAndQuery) {
    InetSocketAddress address = reflector.address();
    return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort()
        + pathAndQuery);
  }
}
