package dev.punchd.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks an ipify-compatible HTTP service ("what is my IP", answering the IP as plain text). Thread-safe.
 */
final class HttpPublicIp implements PublicIpProvider {
  private static final int MAX_BODY = 64;
  private final URI uri;
  private final Duration timeout;
  private final HttpClient client;

  HttpPublicIp(URI uri, Duration timeout) {
    this.uri = uri;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  @Override
  public InetAddress discover() throws DiscoveryException {
    HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
    // Bounds the whole exchange, body included (a request timeout would cover the response headers only).
    CompletableFuture<HttpResponse<String>> exchange = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> response;
    try {
      response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true);
      throw new DiscoveryException("public IP lookup at " + uri + " got no answer within " + timeout.toMillis()
          + " ms", e);
    } catch (ExecutionException e) {
      throw new DiscoveryException("public IP lookup at " + uri + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new DiscoveryException("public IP lookup at " + uri + " interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new DiscoveryException("public IP lookup at " + uri + " answered HTTP " + response.statusCode());
    }
    String body = response.body().trim();
    if (body.length() > MAX_BODY || !body.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
      throw new DiscoveryException("public IP lookup at " + uri + " answered something that is not an IP: '"
          + body.substring(0, Math.min(body.length(), MAX_BODY)) + "'");
    }
    try {
      return InetAddress.getByName(body);
    } catch (IOException e) {
      throw new DiscoveryException("public IP lookup at " + uri + " answered a malformed IP '" + body + "'", e);
    }
  }

  @Override
  public String describe() {
    return uri.toString();
  }
}
