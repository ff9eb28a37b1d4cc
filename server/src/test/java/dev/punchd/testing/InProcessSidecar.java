package dev.punchd.testing;

import dev.punchd.api.ApiServer;
import dev.punchd.api.HolePunchService;
import dev.punchd.engine.ConnectionManager;
import dev.punchd.engine.EngineMetrics;
import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.EventLoops;
import dev.punchd.engine.TlsCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The API service over a real engine, served in-process: the gRPC tier of the tests. Punched connections
 * still use real loopback sockets.
 */
public final class InProcessSidecar implements SidecarApi, AutoCloseable {
  private final EventLoops loops;
  private final ConnectionManager manager;
  private final Server server;
  private final ManagedChannel channel;

  private InProcessSidecar(EventLoops loops, ConnectionManager manager, Server server, ManagedChannel channel) {
    this.loops = loops;
    this.manager = manager;
    this.server = server;
    this.channel = channel;
  }

  public static InProcessSidecar start(UnaryOperator<EngineSettings> customize) throws IOException {
    EventLoops loops = EventLoops.start(); // connections only: the API is in-process
    ConnectionManager manager = new ConnectionManager(customize.apply(TestSidecar.testSettings()),
        TlsCredentials.ephemeral(), EngineMetrics.NONE, loops);
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name)
        .addService(new HolePunchService(manager))
        .maxInboundMessageSize(ApiServer.MAX_INBOUND_MESSAGE_BYTES)
        .build()
        .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).maxInboundMessageSize(4 << 20).build();
    return new InProcessSidecar(loops, manager, server, channel);
  }

  public static InProcessSidecar start() throws IOException {
    return start(s -> s);
  }

  @Override
  public ManagedChannel channel() {
    return channel;
  }

  public ConnectionManager manager() {
    return manager;
  }



  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    manager.close();
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    loops.close();
  }
}
