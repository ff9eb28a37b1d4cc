package dev.punchd.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;

/**
 * CPU of punchd's TLS 1.3 handshake (mutual, pinned, EC P-256 identities) in a fresh JVM, with SunJSSE (what
 * {@link TlsHandshake} uses, a fresh context per connection) and with the BoringSSL that grpc-netty-shaded
 * already ships (netty-tcnative), each with contexts built per connection and built once. Both sides run in
 * memory on one thread, so neither scheduling nor the network is counted. A fresh sidecar runs SunJSSE's
 * handshake interpreted or C1-compiled for its first tens of connections; BoringSSL's is native code from the
 * first. Not a test (its name keeps it out of the default run): run one method per JVM, e.g. {@code
 * -Dtest='TlsProviderBenchmark#sunJsse'} then {@code -Dtest='TlsProviderBenchmark#boringSslSharedContexts'},
 * or a later method inherits an earlier one's warm JIT. Prints thread CPU per handshake (both sides); checks
 * that every handshake completed with TLS 1.3 and that each side's pinned trust manager accepted the peer.
 */
class TlsProviderBenchmark {
  private static final int HANDSHAKES = 200;
  private static final int MAX_STEPS = 50;

  private final IdentityPair ids = IdentityPair.generate();
  private final AtomicInteger pinsAccepted = new AtomicInteger();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  @Test
  void sunJsse() throws Exception {
    run("SunJSSE, contexts per connection", () -> sunJssePair(sunJsseContexts()));
  }

  @Test
  void sunJsseSharedContexts() throws Exception {
    SSLContext[] contexts = sunJsseContexts();
    run("SunJSSE, contexts built once", () -> sunJssePair(contexts));
  }

  @Test
  void boringSsl() throws Exception {
    OpenSsl.ensureAvailability();
    run("BoringSSL, contexts per connection", () -> {
      SslContext[] contexts = boringSslContexts();
      SSLEngine[] pair = boringSslPair(contexts);
      ReferenceCountUtil.release(contexts[0]); // the engines hold them until they are released
      ReferenceCountUtil.release(contexts[1]);
      return pair;
    });
  }

  @Test
  void boringSslSharedContexts() throws Exception {
    OpenSsl.ensureAvailability();
    SslContext[] contexts = boringSslContexts();
    run("BoringSSL, contexts built once", () -> boringSslPair(contexts));
  }

  @FunctionalInterface
  private interface PairFactory {
    SSLEngine[] create() throws Exception;
  }

  private void run(String provider, PairFactory pairs) throws Exception {
    double[] cpuMillis = new double[HANDSHAKES];
    for (int i = 0; i < HANDSHAKES; i++) {
      long start = threads.getCurrentThreadCpuTime();
      SSLEngine[] pair = pairs.create();
      handshake(pair[0], pair[1]);
      cpuMillis[i] = (threads.getCurrentThreadCpuTime() - start) / 1e6;
      assertThat(pair[0].getSession().getProtocol()).isEqualTo("TLSv1.3");
      ReferenceCountUtil.release(pair[0]);
      ReferenceCountUtil.release(pair[1]);
    }
    assertThat(pinsAccepted).hasValue(2 * HANDSHAKES);
    System.out.printf(
        "%s TLS 1.3 handshake, thread CPU of both sides: first %.1f ms, #2-10 median %.2f ms, #11-50 median %.2f"
            + " ms, sum of the first 50 %.0f ms, #151-200 median %.2f ms%n",
        provider, cpuMillis[0], median(cpuMillis, 1, 10), median(cpuMillis, 10, 50), sum(cpuMillis, 0, 50),
        median(cpuMillis, 150, 200));
  }

  /** The TLS client's (lower fingerprint) and the server's contexts, configured as {@link TlsHandshake} does. */
  private SSLContext[] sunJsseContexts() throws Exception {
    return new SSLContext[] {sunJsseContext(ids.lower(), ids.higher()), sunJsseContext(ids.higher(), ids.lower())};
  }

  private SSLContext sunJsseContext(Identity local, Identity peer) throws Exception {
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(new KeyManager[] {new IdentityKeyManager(local)}, new TrustManager[] {pinned(peer)}, null);
    return context;
  }

  /** Engines without a peer host and port, so no session is ever resumed from a shared context. */
  private static SSLEngine[] sunJssePair(SSLContext[] contexts) {
    SSLEngine client = contexts[0].createSSLEngine();
    SSLEngine server = contexts[1].createSSLEngine();
    client.setUseClientMode(true);
    server.setUseClientMode(false);
    server.setNeedClientAuth(true);
    for (SSLEngine engine : new SSLEngine[] {client, server}) {
      engine.setEnabledProtocols(new String[] {"TLSv1.3"});
    }
    return new SSLEngine[] {client, server};
  }

  private SslContext[] boringSslContexts() throws SSLException {
    SslContext client = SslContextBuilder.forClient()
        .sslProvider(SslProvider.OPENSSL)
        .protocols("TLSv1.3")
        .endpointIdentificationAlgorithm(null)
        .keyManager(ids.lower().privateKey(), ids.lower().certificate())
        .trustManager(pinned(ids.higher()))
        .build();
    SslContext server = SslContextBuilder.forServer(ids.higher().privateKey(), ids.higher().certificate())
        .sslProvider(SslProvider.OPENSSL)
        .protocols("TLSv1.3")
        .clientAuth(ClientAuth.REQUIRE)
        .trustManager(pinned(ids.lower()))
        .build();
    return new SslContext[] {client, server};
  }

  private static SSLEngine[] boringSslPair(SslContext[] contexts) {
    return new SSLEngine[] {
      contexts[0].newEngine(ByteBufAllocator.DEFAULT), contexts[1].newEngine(ByteBufAllocator.DEFAULT)
    };
  }

  private X509ExtendedTrustManager pinned(Identity peer) {
    return new CountingTrustManager(new PinnedTrustManager(peer.fingerprint(), () -> {}), pinsAccepted);
  }

  /** Counts the certificates {@code pin} accepted. */
  private static final class CountingTrustManager extends X509ExtendedTrustManager {
    private final PinnedTrustManager pin;
    private final AtomicInteger accepted;

    CountingTrustManager(PinnedTrustManager pin, AtomicInteger accepted) {
      this.pin = pin;
      this.accepted = accepted;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      pin.checkClientTrusted(chain, authType);
      accepted.incrementAndGet();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      pin.checkClientTrusted(chain, authType, socket);
      accepted.incrementAndGet();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      pin.checkClientTrusted(chain, authType, engine);
      accepted.incrementAndGet();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      pin.checkServerTrusted(chain, authType);
      accepted.incrementAndGet();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      pin.checkServerTrusted(chain, authType, socket);
      accepted.incrementAndGet();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      pin.checkServerTrusted(chain, authType, engine);
      accepted.incrementAndGet();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return pin.getAcceptedIssuers();
    }
  }

  /** Moves records between the two engines until both have finished the handshake. */
  private static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
    ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
    ByteBuffer plain = ByteBuffer.allocate(1 << 17);
    client.beginHandshake();
    server.beginHandshake();
    for (int step = 0; step < MAX_STEPS; step++) {
      exchange(client, toClient, toServer, plain);
      exchange(server, toServer, toClient, plain);
      if (step > 1 && done(client) && done(server) && toServer.position() == 0 && toClient.position() == 0) {
        return;
      }
    }
    throw new AssertionError("no handshake after " + MAX_STEPS + " steps: client " + client.getHandshakeStatus()
        + ", server " + server.getHandshakeStatus());
  }

  private static boolean done(SSLEngine engine) {
    HandshakeStatus status = engine.getHandshakeStatus();
    return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
  }

  /** Feeds {@code engine} what arrived for it, then lets it write what it has to send. */
  private static void exchange(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer plain)
      throws SSLException {
    in.flip();
    while (in.hasRemaining()) {
      plain.clear();
      int consumed = engine.unwrap(in, plain).bytesConsumed();
      runTasks(engine);
      if (consumed == 0) {
        break;
      }
    }
    in.compact();
    ByteBuffer nothing = ByteBuffer.allocate(0);
    while (engine.wrap(nothing, out).bytesProduced() > 0) {
      runTasks(engine);
    }
    runTasks(engine);
  }

  private static void runTasks(SSLEngine engine) {
    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
      task.run();
    }
  }

  private static double median(double[] values, int from, int to) {
    double[] sorted = Arrays.copyOfRange(values, from, to);
    Arrays.sort(sorted);
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }

  private static double sum(double[] values, int from, int to) {
    return Arrays.stream(values, from, to).sum();
  }
}
