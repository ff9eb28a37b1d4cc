package dev.punchd;

import dev.punchd.api.ApiEndpoint;
import dev.punchd.api.ApiSecurity;
import dev.punchd.api.ApiServer;
import dev.punchd.api.HealthServer;
import dev.punchd.api.HolePunchService;
import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.Credentials;
import dev.punchd.engine.EngineMetrics;
import dev.punchd.engine.EventLoops;
import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.HostPort;
import dev.punchd.observe.SidecarMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running punchd: the engine, its API server, and optionally its metrics and health-only listener.
 * {@link #close()} is the graceful shutdown: health turns NOT_SERVING, no new connections are allocated,
 * live connections get the shutdown grace period to finish, the rest close telling their peers why
 * (SHUTDOWN), then the listeners stop. Thread-safe; close is idempotent and returns once the sidecar is
 * closed, whichever thread closes it.
 */
public final class Sidecar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);

  private final EventLoops loops;
  private final ConnectionManager manager;
  private final ApiServer api;
  private final Optional<HealthServer> health;
  private final Optional<SidecarMetrics> metrics;
  private final Duration shutdownGrace;
  private final CountDownLatch closed = new CountDownLatch(1);
  private boolean closing; // guarded by this

  private Sidecar(EventLoops loops, ConnectionManager manager, ApiServer api, Optional<HealthServer> health,
      Optional<SidecarMetrics> metrics, Duration shutdownGrace) {
    this.loops = loops;
    this.manager = manager;
    this.api = api;
    this.health = health;
    this.metrics = metrics;
    this.shutdownGrace = shutdownGrace;
  }

  /**
   * Starts with a plaintext API (on loopback or a Unix socket) and nothing else: no metrics, health-only
   * listener or shutdown grace (tests, embedding).
   */
  public static Sidecar start(ApiEndpoint endpoint, EngineSettings settings, Supplier<Credentials> credentials)
      throws IOException {
    return start(endpoint, ApiSecurity.localOnly(), settings, credentials, SidecarOptions.minimal());
  }

  /**
   * Starts the engine and the API, without metrics, health-only listener or shutdown grace.
   *
   * @throws IllegalArgumentException when {@code apiSecurity} does not allow plaintext on {@code endpoint}
   */
  public static Sidecar start(ApiEndpoint endpoint, ApiSecurity apiSecurity, EngineSettings settings,
      Supplier<Credentials> credentials) throws IOException {
    return start(endpoint, apiSecurity, settings, credentials, SidecarOptions.minimal());
  }

  /**
   * Starts everything; when a listener cannot be bound, closes what was started and throws. A metrics
   * address that cannot be bound is only logged.
   *
   * @throws IllegalArgumentException when {@code apiSecurity} does not allow plaintext on {@code endpoint}
   */
  public static Sidecar start(ApiEndpoint endpoint, ApiSecurity apiSecurity, EngineSettings settings,
      Supplier<Credentials> credentials, SidecarOptions options) throws IOException {
    Optional<SidecarMetrics> metrics = options.metrics().map(SidecarMetrics::start);
    EventLoops loops = EventLoops.start(); // the API's and the connections': see EventLoops
    ConnectionManager manager = new ConnectionManager(settings, credentials,
        metrics.map(SidecarMetrics::engine).orElse(EngineMetrics.NONE), loops);
    metrics.ifPresent(m -> m.watch(manager));
    settings.publicIp().prefetch();
    ApiServer api = null;
    try {
      api = ApiServer.start(endpoint, apiSecurity, List.of(new HolePunchService(manager)), loops);
      Optional<HealthServer> health = Optional.empty();
      if (options.health().isPresent()) {
        health = Optional.of(HealthServer.start(options.health().get(), api.health()));
      }
      Sidecar sidecar = new Sidecar(loops, manager, api, health, metrics, options.shutdownGrace());
      log.info("punchd serving the API on {} (public IP discovery: {}, ports: {}); health {}; metrics {}",
          api.endpoint(), settings.publicIp().describe(), settings.portRange(), sidecar.describeHealth(),
          sidecar.describeMetrics(options.metrics()));
      return sidecar;
    } catch (IOException | RuntimeException e) {
      manager.close();
      metrics.ifPresent(SidecarMetrics::close);
      if (api != null) {
        closeQuietly(api);
      }
      loops.close();
      throw e;
    }
  }

  public ConnectionManager manager() {
    return manager;
  }

  public ApiServer api() {
    return api;
  }

  /** Address of the health-only listener, if there is one. */
  public Optional<InetSocketAddress> healthAddress() {
    return health.map(HealthServer::address);
  }

  /** Where {@code /metrics} is served; empty with metrics off or when the address was busy. */
  public Optional<InetSocketAddress> metricsAddress() {
    return metrics.flatMap(SidecarMetrics::address);
  }

  /** Waits until {@link #close()} has finished. */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      if (closing) {
        closed.await();
        return;
      }
      closing = true;
    }
    try {
      api.markNotServing();
      manager.stopAccepting();
      drain();
      manager.close();
      api.close();
      loops.close();
      if (health.isPresent()) {
        health.get().close();
      }
      metrics.ifPresent(SidecarMetrics::close);
      log.info("punchd stopped");
    } finally {
      closed.countDown();
    }
  }

  /** Gives live connections the grace period to finish; an interrupt cuts it short. */
  private void drain() {
    int live = manager.liveConnections();
    log.info("punchd shutting down: health is NOT_SERVING; {} live connections get up to {} ms to finish",
        live, shutdownGrace.toMillis());
    try {
      if (live > 0 && !manager.awaitNoLiveConnections(shutdownGrace)) {
        log.info("punchd shutting down: closing {} connections still live after the grace period",
            manager.liveConnections());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String describeHealth() {
    return health.map(h -> "also on " + HostPort.format(h.address()) + " (health only)").orElse("on the API only");
  }

  private String describeMetrics(Optional<InetSocketAddress> wanted) {
    if (wanted.isEmpty()) {
      return "off";
    }
    return metricsAddress().map(a -> "on http://" + HostPort.format(a) + "/metrics").orElse("not served");
  }

  private static void closeQuietly(ApiServer api) {
    try {
      api.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
