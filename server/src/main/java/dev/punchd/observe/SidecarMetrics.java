package dev.punchd.observe;

import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.EngineMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * One sidecar's Prometheus metrics: its own registry (sidecars in one JVM do not share meters) with the
 * engine's and the JVM's meters, served on {@code /metrics} when the address could be bound. Thread-safe;
 * closed once, by the sidecar.
 */
public final class SidecarMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final EngineMeters engine;
  private final JvmMeters jvm;
  private final Optional<MetricsServer> server;

  private SidecarMetrics(PrometheusMeterRegistry registry, EngineMeters engine, JvmMeters jvm,
      Optional<MetricsServer> server) {
    this.registry = registry;
    this.engine = engine;
    this.jvm = jvm;
    this.server = server;
  }

  /** Creates the meters and serves them on {@code address}; a busy address is logged, not thrown. */
  public static SidecarMetrics start(InetSocketAddress address) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    EngineMeters engine = new EngineMeters(registry);
    JvmMeters jvm = new JvmMeters(registry);
    return new SidecarMetrics(registry, engine, jvm, MetricsServer.start(address, registry));
  }

  /** The hooks the engine calls. */
  public EngineMetrics engine() {
    return engine;
  }

  /** Adds the gauges that read the manager's connections. */
  public void watch(ConnectionManager manager) {
    engine.watch(manager);
  }

  /** Where {@code /metrics} is served; empty when the address could not be bound. */
  public Optional<InetSocketAddress> address() {
    return server.map(MetricsServer::address);
  }

  @Override
  public void close() {
    server.ifPresent(MetricsServer::close);
    jvm.close();
    registry.close();
  }
}
