package dev.punchd.transport.tls;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs punchd's TLS 1.3 handshake (fresh P-256 identities, mutual authentication, pinned fingerprints, as
 * {@link TlsHandshake} sets it up) between two in-memory {@link SSLEngine}s, plus one record each way, so
 * that the JIT has compiled the handshake's code (EC arithmetic, signatures, HKDF, AES-GCM) before a peer's
 * first punch needs it. A fresh JVM runs it interpreted: on loopback its first SECURE punches took 40-90 ms,
 * the handshake of a warm one a few ms. Nothing touches the network. Used by one thread.
 */
public final class TlsWarmUp {
  private static final Logger log = LoggerFactory.getLogger(TlsWarmUp.class);
  /**
   * In a fresh JVM a handshake pair cost about 35 ms of CPU for the first 10, 10 ms after 40 and 7 after 100.
   * Most of the warm-up's cost is the JIT compiling that code, not the count: 40 took about 2.7 s of CPU once
   * and 37 MB more resident memory in an idle sidecar, 100 about 2.9 s and 53 MB.
   */
  static final int HANDSHAKES = 40;
  /** Wall-clock bound, for a machine too busy to finish them soon. */
  static final Duration BUDGET = Duration.ofSeconds(10);
  private static final byte[] RECORD = new byte[1024];

  private final int handshakes;
  private final Duration budget;

  /**
   * @param handshakes how many handshakes at most
   * @param budget how long to keep going at most (wall clock)
   */
  public TlsWarmUp(int handshakes, Duration budget) {
    if (handshakes < 0) {
      throw new IllegalArgumentException("warm-up handshakes must be 0 or more, got " + handshakes);
    }
    this.handshakes = handshakes;
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  /**
   * Starts {@link #HANDSHAKES} handshakes (within {@link #BUDGET}) on a daemon thread that logs what they
   * cost; interrupt the thread to stop early.
   */
  public static Thread inBackground() {
    TlsWarmUp warmUp = new TlsWarmUp(HANDSHAKES, BUDGET);
    return Thread.ofPlatform().daemon().name("tls-warm-up").start(() -> {
      long start = System.nanoTime();
      try {
        int done = warmUp.run();
        log.debug("TLS warm-up: {} in-memory handshakes in {} ms", done,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      } catch (SSLException | RuntimeException e) {
        log.warn("TLS warm-up failed (punching is not affected, its first handshakes are only slower): {}",
            e.toString());
      }
    });
  }

  /**
   * Handshakes until the count or the budget is reached or the thread is interrupted.
   *
   * @return how many handshakes completed
   * @throws SSLException if a handshake fails (this JDK's TLS is broken, or the code that sets it up is)
   */
  public int run() throws SSLException {
    long until = System.nanoTime() + budget.toNanos();
    Identity one = Identity.generate();
    Identity other = Identity.generate();
    int done = 0;
    while (done < handshakes && System.nanoTime() - until < 0 && !Thread.currentThread().isInterrupted()) {
      handshakeOnce(one, other);
      done++;
    }
    return done;
  }

  /** One mutual, pinned handshake, then one record each way. */
  static void handshakeOnce(Identity clientIdentity, Identity serverIdentity) throws SSLException {
    SSLEngine client = engine(clientIdentity, serverIdentity, true);
    SSLEngine server = engine(serverIdentity, clientIdentity, false);
    Pipe toServer = new Pipe(client);
    Pipe toClient = new Pipe(server);
    client.beginHandshake();
    server.beginHandshake();
    for (int steps = 0; busy(client) || busy(server); steps++) {
      if (steps > 100) {
        throw new SSLException("TLS warm-up handshake did not complete: client " + client.getHandshakeStatus()
            + ", server " + server.getHandshakeStatus());
      }
      toServer.wrap(client);
      toServer.unwrap(server);
      toClient.wrap(server);
      toClient.unwrap(client);
    }
    toServer.send(client, server);
    toClient.send(server, client);
  }

  private static boolean busy(SSLEngine engine) {
    SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
    return status != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
        && status != SSLEngineResult.HandshakeStatus.FINISHED;
  }

  private static SSLEngine engine(Identity local, Identity peer, boolean client) {
    PinnedTrustManager trust = new PinnedTrustManager(peer.fingerprint(), () -> {});
    SSLContext context = TlsHandshake.context(new KeyManager[] {new IdentityKeyManager(local)}, trust);
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(client);
    engine.setEnabledProtocols(new String[] {TlsHandshake.PROTOCOL});
    engine.setNeedClientAuth(!client);
    return engine;
  }

  /** The bytes one engine wrote and the other has not read yet. */
  private static final class Pipe {
    private final ByteBuffer wire;
    private final ByteBuffer plain;

    Pipe(SSLEngine writer) {
      wire = ByteBuffer.allocate(writer.getSession().getPacketBufferSize() * 4);
      plain = ByteBuffer.allocate(writer.getSession().getApplicationBufferSize() * 2);
    }

    void wrap(SSLEngine writer) throws SSLException {
      for (int i = 0; i < 8 && writer.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP; i++) {
        writer.wrap(ByteBuffer.allocate(0), wire);
        runTasks(writer);
      }
    }

    void unwrap(SSLEngine reader) throws SSLException {
      wire.flip();
      try {
        for (int i = 0; i < 8 && wire.hasRemaining(); i++) {
          SSLEngineResult result = reader.unwrap(wire, plain);
          runTasks(reader);
          if (result.getStatus() != SSLEngineResult.Status.OK) {
            break;
          }
        }
      } finally {
        wire.compact();
      }
    }

    /** One application record from {@code writer} to {@code reader}, after the handshake. */
    void send(SSLEngine writer, SSLEngine reader) throws SSLException {
      ByteBuffer record = ByteBuffer.wrap(RECORD);
      for (int i = 0; i < 4 && record.hasRemaining(); i++) {
        writer.wrap(record, wire); // a pending post-handshake message (a session ticket) may go first
      }
      unwrap(reader);
      if (plain.position() < RECORD.length) {
        throw new SSLException("TLS warm-up record did not arrive: " + plain.position() + " of " + RECORD.length
            + " bytes");
      }
      plain.clear();
    }

    private static void runTasks(SSLEngine engine) {
      for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
        task.run();
      }
    }
  }
}
