package dev.punchd.discovery;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Remembers a discovered address for a while so that allocating many connections costs one lookup.
 * Failures are not cached. Thread-safe (one lookup at a time).
 */
final class CachingPublicIp implements PublicIpProvider {
  private final PublicIpProvider delegate;
  private final long ttlNanos;
  private final LongSupplier nanoClock;
  private InetAddress cached; // guarded by this
  private long cachedAt; // guarded by this

  CachingPublicIp(PublicIpProvider delegate, Duration ttl, LongSupplier nanoClock) {
    this.delegate = delegate;
    this.ttlNanos = ttl.toNanos();
    this.nanoClock = nanoClock;
  }

  @Override
  public synchronized InetAddress discover() throws DiscoveryException {
    long now = nanoClock.getAsLong();
    if (cached != null && now - cachedAt < ttlNanos) {
      return cached;
    }
    cached = delegate.discover();
    cachedAt = now;
    return cached;
  }

  @Override
  public String describe() {
    return delegate.describe();
  }
}
