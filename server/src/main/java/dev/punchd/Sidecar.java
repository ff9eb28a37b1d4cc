package dev.punchd;

import dev.punchd.api.ApiEndpoint;
import dev.punchd.api.ApiSecurity;
import dev.punchd.api.ApiServer;
import dev.punchd.api.HolePunchService;
import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.Credentials;
import dev.punchd.engine.EngineSettings;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running punchd: the engine plus its API server. {@link #close()} is the graceful shutdown: health
 * turns NOT_SERVING, connections close telling their peers why, then the API stops. Thread-safe; close
 * is idempotent.
 */
public final class Sidecar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sidecar.class);

  private final ConnectionManager manager;
  private final ApiServer api;
  private boolean closed; // guarded by this

  private Sidecar(ConnectionManager manager, ApiServer api) {
    this.manager = manager;
    this.api = api;
  }

  /** Starts with a plaintext API, which must then be on loopback or a Unix socket. */
  public static Sidecar start(ApiEndpoint endpoint, EngineSettings settings, Supplier<Credentials> credentials)
      throws IOException {
    return start(endpoint, ApiSecurity.localOnly(), settings, credentials);
  }

  /**
   * Starts the engine and the API.
   *
   * @throws IllegalArgumentException when {@code apiSecurity} does not allow plaintext on {@code endpoint}
   */
  public static Sidecar start(ApiEndpoint endpoint, ApiSecurity apiSecurity, EngineSettings settings,
      Supplier<Credentials> credentials) throws IOException {
    ConnectionManager manager = new ConnectionManager(settings, credentials);
    ApiServer api;
    try {
      api = ApiServer.start(endpoint, apiSecurity, List.of(new HolePunchService(manager)));
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
    log.info("punchd serving the API on {} (public IP discovery: {}, ports: {})", api.endpoint(),
        settings.publicIp().describe(), settings.portRange());
    return new Sidecar(manager, api);
  }

  public ConnectionManager manager() {
    return manager;
  }

  public ApiServer api() {
    return api;
  }

  public void awaitTermination() throws InterruptedException {
    api.awaitTermination();
  }

  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    log.info("punchd shutting down: closing {} connections", manager.liveConnections());
    api.markNotServing();
    manager.close();
    api.close();
  }
}
