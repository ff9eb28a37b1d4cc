package dev.punchd.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Makes values one call ahead, on a virtual thread: each {@link #get()} takes the value made since the call
 * before it and starts making the next, so a caller waits only when calls come faster than values are made.
 * For values that cost CPU and nothing else (an ephemeral key pair and certificate: 1-2 ms warm). Nothing is
 * made before the first call, which makes its own value on its own thread: a sidecar that never allocates
 * loads none of the maker's classes (starting ahead cost an idle sidecar about 10 MB of resident memory and
 * 0.2 s of startup). One value at most is made and not yet taken, so the cost over making on demand is one
 * value. A value whose making failed throws (its cause, unwrapped) to the caller that takes it; the next call
 * gets a fresh one. Thread-safe.
 *
 * @param <T> the value; each is given to one caller only
 */
final class MadeAhead<T> implements Supplier<T> {
  private static final Executor VIRTUAL = task -> Thread.ofVirtual().name("made-ahead").start(task);

  private final Supplier<T> maker;
  private final AtomicReference<CompletableFuture<T>> next;

  MadeAhead(Supplier<T> maker) {
    this.maker = maker;
    this.next = new AtomicReference<>();
  }

  @Override
  public T get() {
    CompletableFuture<T> mine = next.getAndSet(start());
    if (mine == null) {
      return maker.get();
    }
    try {
      return mine.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  private CompletableFuture<T> start() {
    return CompletableFuture.supplyAsync(maker, VIRTUAL);
  }
}
