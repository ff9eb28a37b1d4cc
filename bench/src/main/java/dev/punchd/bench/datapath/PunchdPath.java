package dev.punchd.bench.datapath;

import com.google.protobuf.ByteString;
import dev.punchd.Sidecar;
import dev.punchd.api.ApiEndpoint;
import dev.punchd.bench.app.AppStream;
import dev.punchd.bench.app.Connector;
import dev.punchd.bench.app.SidecarClient;
import dev.punchd.discovery.PublicIpProviders;
import dev.punchd.engine.EngineSettings;
import dev.punchd.engine.NatTraversal;
import dev.punchd.engine.TlsCredentials;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.SecurityMode;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * app A -> sidecar A -> punched loopback connection -> sidecar B -> app B, through the Stream RPC: two
 * in-JVM sidecars (API on 127.0.0.1, loopback addresses only), each application on its own gRPC channel.
 * Thread-safe for one benchmark thread plus gRPC's callbacks.
 */
final class PunchdPath implements DataPath {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** SECURE connections run with sessions, as the sidecar's default will (ThroughputSection#setup says so). */
  static final Duration RESUME_WINDOW = Duration.ofSeconds(30);

  private final Sidecar sidecarA;
  private final Sidecar sidecarB;
  private final SidecarClient appA;
  private final SidecarClient appB;
  private final AppStream streamA;
  private final AppStream streamB;
  private final ByteString chunk;
  private long expectedAtB; // benchmark thread only
  private long expectedAtA; // benchmark thread only

  private PunchdPath(Sidecar sidecarA, Sidecar sidecarB, SidecarClient appA, SidecarClient appB,
      AppStream streamA, AppStream streamB) {
    this.sidecarA = sidecarA;
    this.sidecarB = sidecarB;
    this.appA = appA;
    this.appB = appB;
    this.streamA = streamA;
    this.streamB = streamB;
    byte[] bytes = new byte[CHUNK_BYTES];
    new Random(7).nextBytes(bytes);
    this.chunk = ByteString.copyFrom(bytes);
  }

  static PunchdPath open(Kind kind, boolean echo) throws Exception {
    EngineSettings settings = EngineSettings.defaults(PublicIpProviders.parse("none"))
        .withLocalInterfaces(List.of("lo"))
        .withTraversal(NatTraversal.NONE.withResumeWindow(RESUME_WINDOW)); // SECURE with sessions; RAW has none
    Sidecar sidecarA = Sidecar.start(ApiEndpoint.parse("127.0.0.1:0"), settings, TlsCredentials.ephemeral());
    Sidecar sidecarB = Sidecar.start(ApiEndpoint.parse("127.0.0.1:0"), settings, TlsCredentials.ephemeral());
    SidecarClient appA = SidecarClient.tcpDirect("127.0.0.1", sidecarA.api().port());
    SidecarClient appB = SidecarClient.tcpDirect("127.0.0.1", sidecarB.api().port());
    ConnectionOptions options = ConnectionOptions.newBuilder()
        .setSecurity(kind == Kind.RAW ? SecurityMode.RAW : SecurityMode.SECURE)
        .build();
    Connector.Allocated pair = new Connector(appA, appB).connect(options, Duration.ofSeconds(30));
    AppStream streamA = AppStream.open(appA.async(), pair.idA(), false, false);
    AppStream streamB = AppStream.open(appB.async(), pair.idB(), echo, false);
    return new PunchdPath(sidecarA, sidecarB, appA, appB, streamA, streamB);
  }

  @Override
  public void transfer(long bytes) throws Exception {
    for (long sent = 0; sent < bytes; sent += CHUNK_BYTES) {
      int n = (int) Math.min(CHUNK_BYTES, bytes - sent);
      streamA.send(n == CHUNK_BYTES ? chunk : chunk.substring(0, n), WAIT);
    }
    expectedAtB += bytes;
    streamB.awaitReceived(expectedAtB, WAIT);
  }

  @Override
  public void pingPong(byte[] message) throws Exception {
    streamA.sendNow(ByteString.copyFrom(message));
    expectedAtA += message.length;
    streamA.awaitReceived(expectedAtA, WAIT);
  }

  @Override
  public void close() throws Exception {
    streamA.cancel();
    streamB.cancel();
    appA.close();
    appB.close();
    sidecarA.close();
    sidecarB.close();
  }
}
