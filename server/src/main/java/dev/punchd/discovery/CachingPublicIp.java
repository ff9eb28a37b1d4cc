package dev.punchd.discovery;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Keeps discovery off the request path. An address is remembered for {@code ttl}, a failure for
 * {@code failureTtl}; after that the next caller starts one lookup on a background thread (never more than
 * one at a time, and never under a lock). A caller that has an address, even an expired one, gets it at
 * once while the lookup refreshes it; a caller with nothing waits for the lookup at most {@code waitBound}
 * and is then told that discovery is still under way. Thread-safe.
 */
final class CachingPublicIp implements PublicIpProvider {
  private final PublicIpProvider delegate;
  private final long ttlNanos;
  private final long failureTtlNanos;
  private final Duration waitBound;
  private final LongSupplier nanoClock;
  private Outcome last; // guarded by this
  private CompletableFuture<Outcome> lookup; // guarded by this; null when none runs

  /** What one lookup found: an address or why there is none, and when. */
  private record Outcome(InetAddress ip, DiscoveryException failure, long atNanos) {
    InetAddress get() throws DiscoveryException {
      if (ip == null) {
        throw failure;
      }
      return ip;
    }
  }

  /**
   * @param ttl how long an address is used without asking again
   * @param failureTtl how long a failure is reported without asking again
   * @param waitBound how long a caller with no address waits for a running lookup
   */
  CachingPublicIp(PublicIpProvider delegate, Duration ttl, Duration failureTtl, Duration waitBound,
      LongSupplier nanoClock) {
    this.delegate = delegate;
    this.ttlNanos = ttl.toNanos();
    this.failureTtlNanos = failureTtl.toNanos();
    this.waitBound = waitBound;
    this.nanoClock = nanoClock;
  }

  @Override
  public InetAddress discover() throws DiscoveryException {
    CompletableFuture<Outcome> running;
    synchronized (this) {
      if (last != null && nanoClock.getAsLong() - last.atNanos() < (last.ip() != null ? ttlNanos : failureTtlNanos)) {
        return last.get();
      }
      running = startLookup();
      if (last != null && last.ip() != null) {
        return last.ip();
      }
    }
    try {
      return running.get(waitBound.toNanos(), TimeUnit.NANOSECONDS).get();
    } catch (TimeoutException e) {
      throw new DiscoveryException("public IP lookup at " + delegate.describe() + " did not answer within "
          + waitBound.toMillis() + " ms (still trying in the background)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DiscoveryException("public IP lookup at " + delegate.describe() + " interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a lookup always completes with an outcome", e);
    }
  }

  /** Starts a lookup unless one runs; returns the running one. */
  private CompletableFuture<Outcome> startLookup() {
    if (lookup == null) {
      CompletableFuture<Outcome> started = new CompletableFuture<>();
      lookup = started;
      Thread.ofVirtual().name("punchd-discovery").start(() -> {
        Outcome outcome;
        try {
          outcome = new Outcome(delegate.discover(), null, nanoClock.getAsLong());
        } catch (DiscoveryException e) {
          outcome = new Outcome(null, e, nanoClock.getAsLong());
        }
        synchronized (this) {
          last = outcome;
          lookup = null;
        }
        started.complete(outcome);
      });
    }
    return lookup;
  }

  /** Starts the first lookup now, so that the first connection is likely to find an address. */
  @Override
  public void prefetch() {
    synchronized (this) {
      if (last == null) {
        startLookup();
      }
    }
  }

  @Override
  public String describe() {
    return delegate.describe();
  }
}
