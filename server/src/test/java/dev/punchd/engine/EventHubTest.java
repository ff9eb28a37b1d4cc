package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.v1.Closed;
import dev.punchd.v1.Established;
import dev.punchd.v1.Event;
import dev.punchd.v1.PathChanged;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventHubTest {

  /**
   * The deadlock of a Close and an Events cancel at once, reduced to its core: a subscriber that, while an
   * event is delivered to it, waits for another thread that cancels a subscription. With the hub's lock held
   * during delivery (as before), that thread can never get it.
   */
  @Test
  void aSubscriberIsCalledWithNoLockHeldSoOtherThreadsMayCancelMeanwhile() throws Exception {
    EventHub hub = new EventHub();
    hub.register("c");
    EventHub.Subscription other = hub.subscribe("c", event -> {});
    List<Boolean> cancelledInTime = new CopyOnWriteArrayList<>();
    hub.subscribe("c", event -> {
      CompletableFuture<Void> cancel = CompletableFuture.runAsync(other::cancel);
      try {
        cancel.get(10, TimeUnit.SECONDS);
        cancelledInTime.add(true);
      } catch (Exception e) {
        cancelledInTime.add(false);
      }
    });

    CompletableFuture.runAsync(() -> hub.publish(established("c"))).get(30, TimeUnit.SECONDS);

    assertThat(cancelledInTime).containsExactly(true);
  }

  @Test
  void aLateSubscriberGetsTheHistoryThenLiveEventsInOrderOnce() {
    EventHub hub = new EventHub();
    hub.register("c");
    hub.publish(established("c"));
    List<Event> seen = new CopyOnWriteArrayList<>();
    EventHub.Subscription subscription = hub.subscribe("c", seen::add);
    hub.publish(closed("c"));
    subscription.cancel();
    hub.publish(closed("c"));

    assertThat(seen).containsExactly(established("c"), closed("c"));
  }

  @Test
  void theHistoryKeepsOnlyTheNewestPathChangesBesideTheStartAndTheEnd() {
    EventHub hub = new EventHub();
    hub.register("c");
    hub.publish(established("c"));
    int moves = EventHub.PATH_CHANGES_KEPT + 5;
    for (int i = 0; i < moves; i++) {
      hub.publish(moved("c", i));
    }
    hub.publish(closed("c"));
    List<Event> seen = new CopyOnWriteArrayList<>();
    hub.subscribe("c", seen::add);

    assertThat(seen).hasSize(EventHub.PATH_CHANGES_KEPT + 2);
    assertThat(seen.get(0)).isEqualTo(established("c"));
    assertThat(seen.get(1)).isEqualTo(moved("c", moves - EventHub.PATH_CHANGES_KEPT));
    assertThat(seen.get(seen.size() - 2)).isEqualTo(moved("c", moves - 1));
    assertThat(seen.get(seen.size() - 1)).isEqualTo(closed("c"));
  }

  private static Event moved(String id, long pauseMillis) {
    return Event.newBuilder().setConnectionId(id)
        .setPathChanged(PathChanged.newBuilder().setPauseMillis(pauseMillis)).build();
  }

  @Test
  void aSubscriberThatCancelsItselfOnDeliveryHearsNothingMore() {
    EventHub hub = new EventHub();
    hub.register("c");
    List<Event> seen = new CopyOnWriteArrayList<>();
    EventHub.Subscription[] self = new EventHub.Subscription[1];
    self[0] = hub.subscribe("", event -> {
      seen.add(event);
      self[0].cancel();
    });
    hub.publish(established("c"));
    hub.publish(closed("c"));

    assertThat(seen).containsExactly(established("c"));
  }

  private static Event established(String id) {
    return Event.newBuilder().setConnectionId(id).setEstablished(Established.getDefaultInstance()).build();
  }

  private static Event closed(String id) {
    return Event.newBuilder().setConnectionId(id).setClosed(Closed.getDefaultInstance()).build();
  }
}
