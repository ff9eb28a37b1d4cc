package dev.punchd.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The discovery cache with a scripted provider and a fake clock: TTLs, background refresh, the wait bound. */
class CachingPublicIpTest {
  private static final Duration TTL = Duration.ofMinutes(5);
  private static final Duration FAILURE_TTL = Duration.ofSeconds(30);
  private static final Duration BOUND = Duration.ofMillis(300);

  private final AtomicLong now = new AtomicLong();
  private final Scripted provider = new Scripted();
  private final CachingPublicIp cache = new CachingPublicIp(provider, TTL, FAILURE_TTL, BOUND, now::get);

  @Test
  void anAddressIsCachedForItsTtl() throws Exception {
    provider.answer(ip("203.0.113.7"));
    assertThat(cache.discover()).isEqualTo(ip("203.0.113.7"));
    now.addAndGet(TTL.minusSeconds(1).toNanos());

    assertThat(cache.discover()).isEqualTo(ip("203.0.113.7"));
    assertThat(provider.lookups.get()).isEqualTo(1);
  }

  @Test
  void anExpiredAddressIsServedAtOnceWhileOneBackgroundLookupRefreshesIt() throws Exception {
    provider.answer(ip("203.0.113.7"));
    cache.discover();
    now.addAndGet(TTL.plusSeconds(1).toNanos());

    // The refresh blocks until the test answers it: callers still get the old address without waiting.
    for (int i = 0; i < 3; i++) {
      assertThat(cache.discover()).isEqualTo(ip("203.0.113.7"));
    }
    provider.answer(ip("198.51.100.1"));
    provider.awaitLookups(2);
    awaitAddress(ip("198.51.100.1"));
    assertThat(provider.lookups.get()).isEqualTo(2);
  }

  @Test
  void aFailureIsCachedBrieflyThenAskedAgain() throws Exception {
    provider.fail("no route");
    assertThatThrownBy(cache::discover).hasMessage("no route");
    now.addAndGet(FAILURE_TTL.minusSeconds(1).toNanos());
    assertThatThrownBy(cache::discover).hasMessage("no route");
    assertThat(provider.lookups.get()).isEqualTo(1);

    now.addAndGet(Duration.ofSeconds(2).toNanos());
    provider.answer(ip("203.0.113.7"));
    assertThat(cache.discover()).isEqualTo(ip("203.0.113.7"));
    assertThat(provider.lookups.get()).isEqualTo(2);
  }

  @Test
  void withNothingKnownCallersWaitAtMostTheBoundAndShareOneLookup() throws Exception {
    List<Future<Long>> callers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      callers.add(CompletableFuture.supplyAsync(() -> {
        long start = System.nanoTime();
        assertThatThrownBy(cache::discover).hasMessageContaining("did not answer within 300 ms")
            .hasMessageContaining("scripted");
        return System.nanoTime() - start;
      }));
    }
    for (Future<Long> caller : callers) {
      assertThat(Duration.ofNanos(caller.get(10, TimeUnit.SECONDS))).isBetween(BOUND, BOUND.plusSeconds(1));
    }
    assertThat(provider.lookups.get()).as("one lookup, not one per caller").isEqualTo(1);

    provider.answer(ip("203.0.113.7"));
    awaitAddress(ip("203.0.113.7"));
    assertThat(provider.lookups.get()).isEqualTo(1);
  }

  @Test
  void prefetchStartsTheFirstLookupWithoutWaiting() throws Exception {
    cache.prefetch();
    provider.awaitLookups(1);
    provider.answer(ip("203.0.113.7"));

    awaitAddress(ip("203.0.113.7"));
    assertThat(provider.lookups.get()).isEqualTo(1);
  }

  /** Calls discover until the lookup the test just answered has landed (each call returns within the bound). */
  private void awaitAddress(InetAddress expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!expected.equals(discoverOrNull())) {
      assertThat(System.nanoTime()).as("address %s within 10 s", expected).isLessThan(deadline);
    }
  }

  private InetAddress discoverOrNull() {
    try {
      return cache.discover();
    } catch (PublicIpProvider.DiscoveryException e) {
      return null;
    }
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  /** Each lookup takes the next scripted outcome, waiting for the test to script one. */
  private static final class Scripted implements PublicIpProvider {
    private final LinkedBlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
    final AtomicInteger lookups = new AtomicInteger();
    private final LinkedBlockingQueue<Integer> started = new LinkedBlockingQueue<>();

    void answer(InetAddress ip) {
      outcomes.add(ip);
    }

    void fail(String message) {
      outcomes.add(new DiscoveryException(message));
    }

    void awaitLookups(int count) throws InterruptedException {
      while (lookups.get() < count) {
        started.poll(10, TimeUnit.SECONDS);
      }
    }

    @Override
    public InetAddress discover() throws DiscoveryException {
      started.add(lookups.incrementAndGet());
      try {
        Object outcome = outcomes.take();
        if (outcome instanceof DiscoveryException e) {
          throw e;
        }
        return (InetAddress) outcome;
      } catch (InterruptedException e) {
        throw new DiscoveryException("interrupted", e);
      }
    }

    @Override
    public String describe() {
      return "scripted";
    }
  }
}
