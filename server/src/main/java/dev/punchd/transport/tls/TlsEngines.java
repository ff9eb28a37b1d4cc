package dev.punchd.transport.tls;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.UnpooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.LoggerFactory;

/**
 * Makes the {@link SSLEngine} of each handshake: TLS 1.3 only, mutual, with the local identity's key and a
 * trust manager pinned to the peer's fingerprint, and never a resumed session (every handshake checks the
 * peer's certificate).
 *
 * <p>{@link Provider#BORINGSSL} (netty-tcnative, which grpc-netty-shaded ships for Linux x86_64 and aarch64 and
 * for macOS) costs a handshake 3-5 times less CPU than the JDK's SunJSSE ({@code TlsProviderBenchmark}), but
 * only with contexts built once: building one costs more than a handshake. So this holds one client and one
 * server context for the process, whose key manager and trust manager find each engine's identity and pin
 * in a table the engine is entered in until it is released. {@link Provider#JDK} (where BoringSSL is not
 * available, or asked for) builds a context per handshake, which SunJSSE makes cheap.
 *
 * <p>Thread-safe.
 */
final class TlsEngines {
  static final String PROTOCOL = "TLSv1.3";
  /** The engines' transient buffers: plain direct memory, released at once (no pool, no per-thread cache). */
  private static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true, true, true);

  /** The TLS implementation. */
  enum Provider {
    BORINGSSL,
    JDK
  }

  /** An engine ready for its handshake, and what frees it. */
  record Engine(SSLEngine engine, Runnable release) {}

  private static final class Shared {
    static final TlsEngines INSTANCE = create();

    private static TlsEngines create() {
      if (OpenSsl.isAvailable()) {
        LoggerFactory.getLogger(TlsEngines.class).debug("TLS 1.3 on BoringSSL ({})", OpenSsl.versionString());
        return new TlsEngines(Provider.BORINGSSL);
      }
      LoggerFactory.getLogger(TlsEngines.class).warn("BoringSSL (netty-tcnative) does not load on this platform"
          + " ({}): TLS runs on the JDK's SunJSSE, with 3-5 times the CPU per handshake",
          OpenSsl.unavailabilityCause().toString());
      return new TlsEngines(Provider.JDK);
    }
  }

  private final Provider provider;
  private final Map<SSLEngine, Binding> byEngine = new ConcurrentHashMap<>();
  private final Map<String, Binding> byAlias = new ConcurrentHashMap<>();
  private final AtomicLong aliases = new AtomicLong();
  private final SslContext clientContext; // BORINGSSL only
  private final SslContext serverContext; // BORINGSSL only

  /** One engine's identity and pin. */
  private record Binding(String alias, Identity local, X509ExtendedTrustManager trust) {}

  /** The process's engines: BoringSSL where it loads, else the JDK's. */
  static TlsEngines shared() {
    return Shared.INSTANCE;
  }

  /**
   * @throws IllegalStateException if {@code provider} is BoringSSL and it cannot be loaded here
   */
  TlsEngines(Provider provider) {
    this.provider = Objects.requireNonNull(provider, "provider");
    if (provider == Provider.JDK) {
      clientContext = null;
      serverContext = null;
      return;
    }
    if (!OpenSsl.isAvailable()) {
      throw new IllegalStateException("BoringSSL (netty-tcnative) cannot be loaded here", OpenSsl.unavailabilityCause());
    }
    KeyManager keys = new BoundKeyManager();
    X509ExtendedTrustManager trust = new BoundTrustManager();
    try {
      clientContext = SslContextBuilder.forClient()
          .sslProvider(SslProvider.OPENSSL_REFCNT).protocols(PROTOCOL).endpointIdentificationAlgorithm(null)
          .keyManager(keys).trustManager(trust).build();
      serverContext = SslContextBuilder.forServer(keys)
          .sslProvider(SslProvider.OPENSSL_REFCNT).protocols(PROTOCOL).clientAuth(ClientAuth.REQUIRE)
          .trustManager(trust).build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up BoringSSL contexts", e);
    }
  }

  Provider provider() {
    return provider;
  }

  /** Engines not yet released. */
  int unreleased() {
    return byEngine.size();
  }

  /** A new engine for one handshake as TLS {@code client} or server, presenting {@code local}, trusting {@code trust}. */
  Engine engine(boolean client, Identity local, X509ExtendedTrustManager trust) {
    return provider == Provider.JDK ? jdkEngine(client, local, trust) : boringEngine(client, local, trust);
  }

  private Engine boringEngine(boolean client, Identity local, X509ExtendedTrustManager trust) {
    SSLEngine engine = (client ? clientContext : serverContext).newEngine(ALLOCATOR);
    Binding binding = new Binding("punchd-" + aliases.incrementAndGet(), local, trust);
    byAlias.put(binding.alias(), binding);
    byEngine.put(engine, binding);
    return new Engine(engine, () -> {
      byEngine.remove(engine);
      byAlias.remove(binding.alias());
      ReferenceCountUtil.release(engine);
    });
  }

  private static Engine jdkEngine(boolean client, Identity local, X509ExtendedTrustManager trust) {
    try {
      SSLContext context = SSLContext.getInstance(PROTOCOL);
      context.init(new KeyManager[] {new IdentityKeyManager(local)}, new TrustManager[] {trust}, null);
      SSLEngine engine = context.createSSLEngine();
      engine.setUseClientMode(client);
      engine.setEnabledProtocols(new String[] {PROTOCOL});
      engine.setNeedClientAuth(!client);
      return new Engine(engine, () -> {});
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot set up " + PROTOCOL, e);
    }
  }

  private Binding bound(SSLEngine engine) throws CertificateException {
    Binding binding = engine == null ? null : byEngine.get(engine);
    if (binding == null) {
      throw new CertificateException("no pinned fingerprint for this TLS engine");
    }
    return binding;
  }

  /** Presents each engine's own identity. */
  private final class BoundKeyManager extends X509ExtendedKeyManager {
    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      Binding binding = byEngine.get(engine);
      return binding == null ? null : binding.alias();
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return chooseEngineClientAlias(null, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      Binding binding = alias == null ? null : byAlias.get(alias);
      return binding == null ? null : new X509Certificate[] {binding.local().certificate()};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      Binding binding = alias == null ? null : byAlias.get(alias);
      return binding == null ? null : binding.local().privateKey();
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return null; // engines only
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }
  }

  /** Checks each engine's peer against that engine's pin. */
  private final class BoundTrustManager extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      bound(engine).trust().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      bound(engine).trust().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      bound(null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      bound(null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      bound(null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      bound(null);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
