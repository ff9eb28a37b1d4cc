package dev.punchd.engine;

import dev.punchd.v1.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Publishes connection events and replays each connection's history to a new subscriber first, under one
 * lock, so a subscriber sees every event of its connections exactly once and in order. Subscribers must
 * not block. Thread-safe.
 */
public final class EventHub {
  private final Map<String, List<Event>> history = new LinkedHashMap<>(); // guarded by this
  private final Map<Subscription, String> subscribers = new HashMap<>(); // guarded by this; "" = all

  /** A registration; {@link #cancel()} stops delivery. */
  public final class Subscription {
    private final Consumer<Event> consumer;

    private Subscription(Consumer<Event> consumer) {
      this.consumer = consumer;
    }

    public void cancel() {
      synchronized (EventHub.this) {
        subscribers.remove(this);
      }
    }
  }

  /**
   * Replays the history of {@code connectionId} (or of every connection the hub knows, for "") to
   * {@code consumer}, then delivers new events as they happen.
   */
  public synchronized Subscription subscribe(String connectionId, Consumer<Event> consumer) {
    Subscription subscription = new Subscription(consumer);
    if (connectionId.isEmpty()) {
      history.values().forEach(events -> events.forEach(consumer));
    } else {
      history.getOrDefault(connectionId, List.of()).forEach(consumer);
    }
    subscribers.put(subscription, connectionId);
    return subscription;
  }

  synchronized void register(String connectionId) {
    history.put(connectionId, new ArrayList<>(2));
  }

  synchronized void publish(Event event) {
    List<Event> events = history.get(event.getConnectionId());
    if (events != null) {
      events.add(event);
    }
    for (Map.Entry<Subscription, String> entry : List.copyOf(subscribers.entrySet())) {
      if (entry.getValue().isEmpty() || entry.getValue().equals(event.getConnectionId())) {
        entry.getKey().consumer.accept(event);
      }
    }
  }

  synchronized void forget(String connectionId) {
    history.remove(connectionId);
  }
}
