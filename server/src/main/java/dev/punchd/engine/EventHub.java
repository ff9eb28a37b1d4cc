package dev.punchd.engine;

import dev.punchd.v1.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes connection events and replays each connection's history to a new subscriber first, so a
 * subscriber sees every event of its connections exactly once and in order. Deliveries are queued under the
 * hub's lock (a leaf: nothing is called while it is held, so {@link #enqueue} may be called under a
 * connection's lock) and handed to subscribers by one thread at a time with no lock held, so a subscriber
 * may cancel, subscribe or take its own locks freely. Subscribers must not block. A connection's history
 * keeps only its newest {@link #PATH_CHANGES_KEPT} {@code PathChanged} events, so it stays bounded however
 * often a path moves (a late subscriber misses older moves, never the start or the end). Thread-safe.
 */
public final class EventHub {
  /** PathChanged events a connection's history keeps for late subscribers: the newest. */
  static final int PATH_CHANGES_KEPT = 16;
  private static final Logger log = LoggerFactory.getLogger(EventHub.class);

  private final Map<String, List<Event>> history = new LinkedHashMap<>(); // guarded by this
  private final Map<Subscription, String> subscribers = new HashMap<>(); // guarded by this; "" = all
  private final ArrayDeque<Delivery> pending = new ArrayDeque<>(); // guarded by this
  private boolean delivering; // guarded by this: a thread is handing out deliveries

  private record Delivery(Subscription to, Event event) {}

  /** A registration; {@link #cancel()} stops delivery (at once: nothing queued for it is delivered after). */
  public final class Subscription {
    private final Consumer<Event> consumer;
    private volatile boolean cancelled;

    private Subscription(Consumer<Event> consumer) {
      this.consumer = consumer;
    }

    public void cancel() {
      cancelled = true;
      synchronized (EventHub.this) {
        subscribers.remove(this);
      }
    }
  }

  /**
   * Replays the history of {@code connectionId} (or of every connection the hub knows, for "") to
   * {@code consumer}, then delivers new events as they happen.
   */
  public Subscription subscribe(String connectionId, Consumer<Event> consumer) {
    Subscription subscription = new Subscription(consumer);
    synchronized (this) {
      if (connectionId.isEmpty()) {
        history.values().forEach(events -> events.forEach(e -> pending.add(new Delivery(subscription, e))));
      } else {
        history.getOrDefault(connectionId, List.of()).forEach(e -> pending.add(new Delivery(subscription, e)));
      }
      subscribers.put(subscription, connectionId);
    }
    deliver();
    return subscription;
  }

  synchronized void register(String connectionId) {
    history.put(connectionId, new ArrayList<>(2));
  }

  /** Records {@code event} and delivers it; the caller holds no lock. */
  void publish(Event event) {
    enqueue(event);
    deliver();
  }

  /** Records {@code event} for delivery in this order; may be called under a lock, then {@link #deliver()} after. */
  synchronized void enqueue(Event event) {
    List<Event> events = history.get(event.getConnectionId());
    if (events != null) {
      if (event.hasPathChanged() && events.stream().filter(Event::hasPathChanged).count() >= PATH_CHANGES_KEPT) {
        events.remove(events.stream().filter(Event::hasPathChanged).findFirst().orElseThrow());
      }
      events.add(event);
    }
    subscribers.forEach((subscription, connectionId) -> {
      if (connectionId.isEmpty() || connectionId.equals(event.getConnectionId())) {
        pending.add(new Delivery(subscription, event));
      }
    });
  }

  /** Hands queued events to their subscribers, unless another thread is doing so already. Never under a lock. */
  void deliver() {
    synchronized (this) {
      if (delivering) {
        return;
      }
      delivering = true;
    }
    while (true) {
      Delivery next;
      synchronized (this) {
        next = pending.poll();
        if (next == null) {
          delivering = false;
          return;
        }
      }
      if (!next.to().cancelled) {
        try {
          next.to().consumer.accept(next.event());
        } catch (RuntimeException e) {
          log.warn("an Events subscriber failed on {}: {}", next.event().getConnectionId(), e.toString());
        }
      }
    }
  }

  synchronized void forget(String connectionId) {
    history.remove(connectionId);
  }
}
