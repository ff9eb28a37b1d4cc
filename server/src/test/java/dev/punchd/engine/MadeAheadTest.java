package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MadeAheadTest {
  @Test
  void nothingIsMadeBeforeTheFirstCallWhichMakesItsOwnAndStartsTheNextOnAVirtualThread() throws Exception {
    AtomicInteger made = new AtomicInteger();
    CountDownLatch secondMade = new CountDownLatch(1);
    MadeAhead<Thread> ahead = new MadeAhead<>(() -> {
      if (made.incrementAndGet() == 2) {
        secondMade.countDown();
      }
      return Thread.currentThread();
    });
    assertThat(made.get()).as("made before any call").isZero();

    assertThat(ahead.get()).isSameAs(Thread.currentThread());
    assertThat(secondMade.await(10, TimeUnit.SECONDS)).as("the next one made without a call").isTrue();
    Thread maker = ahead.get();
    assertThat(maker).isNotSameAs(Thread.currentThread());
    assertThat(maker.isVirtual()).isTrue();
  }

  @Test
  void eachCallTakesAValueOfItsOwnAndStartsTheNext() throws Exception {
    AtomicInteger counter = new AtomicInteger();
    CountDownLatch twoMade = new CountDownLatch(2);
    MadeAhead<Integer> ahead = new MadeAhead<>(() -> {
      int value = counter.incrementAndGet();
      twoMade.countDown();
      return value;
    });

    int first = ahead.get();
    assertThat(twoMade.await(10, TimeUnit.SECONDS)).as("the next one is made after a call").isTrue();
    assertThat(List.of(first, ahead.get(), ahead.get())).doesNotHaveDuplicates();
    assertThat(counter.get()).as("one value at most made and not taken").isLessThanOrEqualTo(4);
  }

  @Test
  void concurrentCallersNeverShareAValue() throws Exception {
    AtomicInteger counter = new AtomicInteger();
    MadeAhead<Integer> ahead = new MadeAhead<>(counter::incrementAndGet);
    Set<Integer> taken = ConcurrentHashMap.newKeySet();
    int threads = 8;
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            assertThat(taken.add(ahead.get())).as("a value given twice").isTrue();
          }
        }));
      }
      for (Future<?> future : done) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(taken).hasSize(threads * perThread);
    assertThat(counter.get()).as("made beyond what was taken").isLessThanOrEqualTo(threads * perThread + 1);
  }

  @Test
  void aFailedMakingThrowsItsCauseToTheCallerThatTakesItAndTheNextCallGetsAFreshValue() {
    AtomicInteger aheadMade = new AtomicInteger();
    MadeAhead<Integer> ahead = new MadeAhead<>(() -> {
      if (!Thread.currentThread().isVirtual()) {
        return 0; // the first call's own value
      }
      if (aheadMade.incrementAndGet() == 1) {
        throw new IllegalStateException("no entropy today");
      }
      return aheadMade.get();
    });

    assertThat(ahead.get()).isZero();
    assertThatThrownBy(ahead::get).isInstanceOf(IllegalStateException.class).hasMessage("no entropy today");
    assertThat(ahead.get()).isEqualTo(2);
  }
}
