package dev.punchd.discovery;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A "what is my IP" HTTP server compatible with api.ipify.org: {@code GET /} answers the caller's IP
 * address as {@code text/plain}, {@code GET /?format=json} as {@code {"ip":"..."}}. Sidecars point
 * {@code --public-ip http://host:port/} at it where the internet's reflectors are out of reach (the NAT
 * lab) or unwanted (self-hosting).
 *
 * <p>Lifecycle: construct, {@link #start()} once, {@link #close()} (idempotent). Thread-safe: requests
 * are served concurrently on virtual threads, and {@link #close()} may be called from any thread.
 */
public final class ReflectorServer implements AutoCloseable {

  private final InetSocketAddress listen;
  private final Object lock = new Object();
  private HttpServer server; // guarded by lock
  private ExecutorService executor; // guarded by lock
  private boolean closed; // guarded by lock

  /** A server that will listen on {@code listen} (port 0 picks a free port; see {@link #address()}). */
  public ReflectorServer(InetSocketAddress listen) {
    this.listen = listen;
  }

  /**
   * Binds the listening socket and starts answering.
   *
   * @throws IOException if the address cannot be bound
   * @throws IllegalStateException if already started or closed
   */
  public void start() throws IOException {
    synchronized (lock) {
      if (server != null || closed) {
        throw new IllegalStateException("reflector on " + listen + " was already started or closed");
      }
      HttpServer created = HttpServer.create(listen, 0);
      created.createContext("/", ReflectorServer::answer);
      executor = Executors.newVirtualThreadPerTaskExecutor();
      created.setExecutor(executor);
      created.start();
      server = created;
    }
  }

  /** The bound address, with the real port when constructed with port 0. */
  public InetSocketAddress address() {
    synchronized (lock) {
      if (server == null) {
        throw new IllegalStateException("reflector on " + listen + " is not started");
      }
      return server.getAddress();
    }
  }

  /** Stops listening, lets in-flight answers finish and frees the port. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (server != null) {
        server.stop(0);
        executor.close();
      }
    }
  }

  private static void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/")) {
        reply(exchange, 404, "text/plain", "not found: " + exchange.getRequestURI().getPath());
        return;
      }
      if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        reply(exchange, 405, "text/plain", "method not allowed: " + exchange.getRequestMethod());
        return;
      }
      String ip = textOf(exchange.getRemoteAddress().getAddress());
      String format = formatParameter(exchange.getRequestURI().getRawQuery());
      switch (format) {
        case "text" -> reply(exchange, 200, "text/plain", ip);
        case "json" -> reply(exchange, 200, "application/json", "{\"ip\":\"" + ip + "\"}");
        default -> reply(exchange, 400, "text/plain", "unknown format '" + format + "' (text or json)");
      }
    }
  }

  /** The value of {@code format=} in the query ("text" when absent). */
  private static String formatParameter(String rawQuery) {
    if (rawQuery == null) {
      return "text";
    }
    String format = "text";
    for (String parameter : rawQuery.split("&")) {
      if (parameter.startsWith("format=")) {
        format = parameter.substring("format=".length());
      }
    }
    return format;
  }

  private static String textOf(InetAddress address) {
    String text = address.getHostAddress();
    int zone = text.indexOf('%');
    return address instanceof Inet6Address && zone >= 0 ? text.substring(0, zone) : text;
  }

  private static void reply(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
