package dev.punchd.bench.scale;

import dev.punchd.bench.app.AppStream;
import dev.punchd.bench.app.Connector.Allocated;
import dev.punchd.bench.app.SidecarClient;
import dev.punchd.bench.scale.TrafficEnd.Profile;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Mixed traffic over established connections, both directions at once: 1 in 100 connections bulk, the rest
 * chatty. After the run every end must have received exactly what its peer sent (byte count and SHA-256),
 * then both ends half-close and both Streams must complete OK. Used by one thread.
 */
final class MixedTraffic {
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration END_TIMEOUT = Duration.ofSeconds(60);

  /** What the run moved and how much of it arrived intact. */
  record Report(int connections, int bulkConnections, long bytesSent, long bytesLost, int corrupted,
      int notCompleted, String firstProblem, Duration ran) {
    boolean lossless() {
      return bytesLost == 0 && corrupted == 0 && notCompleted == 0;
    }
  }

  private MixedTraffic() {}

  static Report run(SidecarClient a, SidecarClient b, List<Allocated> pairs, Duration length) throws Exception {
    List<TrafficEnd[]> ends = new ArrayList<>();
    int bulk = 0;
    for (int i = 0; i < pairs.size(); i++) {
      Profile profile = i % 100 == 0 ? Profile.BULK : Profile.CHATTY;
      bulk += profile == Profile.BULK ? 1 : 0;
      ends.add(new TrafficEnd[] {
          new TrafficEnd(AppStream.open(a.async(), pairs.get(i).idA(), false, true), profile, 2L * i),
          new TrafficEnd(AppStream.open(b.async(), pairs.get(i).idB(), false, true), profile, 2L * i + 1)});
    }
    AtomicBoolean stop = new AtomicBoolean();
    long start = System.nanoTime();
    try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> running = new ArrayList<>();
      for (TrafficEnd[] pair : ends) {
        for (TrafficEnd end : pair) {
          running.add(senders.submit(() -> {
            end.sendUntil(stop);
            return null;
          }));
        }
      }
      Thread.sleep(length); // the run's length: the senders work meanwhile
      stop.set(true);
      for (Future<?> sender : running) {
        sender.get(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    Duration ran = Duration.ofNanos(System.nanoTime() - start);
    return verify(ends, bulk, ran);
  }

  private static Report verify(List<TrafficEnd[]> ends, int bulk, Duration ran) throws Exception {
    long sent = 0;
    long lost = 0;
    int corrupted = 0;
    int notCompleted = 0;
    String firstProblem = "";
    for (TrafficEnd[] pair : ends) {
      for (int side = 0; side < 2; side++) {
        TrafficEnd from = pair[side];
        AppStream to = pair[1 - side].stream();
        sent += from.sentBytes();
        try {
          to.awaitReceived(from.sentBytes(), DRAIN_TIMEOUT);
        } catch (Exception e) {
          firstProblem = firstProblem.isEmpty() ? e.getMessage() : firstProblem;
        }
        lost += Math.max(0, from.sentBytes() - to.receivedBytes());
        if (to.receivedBytes() != from.sentBytes() || !Arrays.equals(to.receivedDigest(), from.sentDigest())) {
          corrupted++;
        }
      }
      pair[0].stream().finish();
      pair[1].stream().finish();
    }
    for (TrafficEnd[] pair : ends) {
      for (TrafficEnd end : pair) {
        Status status = awaitEnd(end.stream());
        if (!status.isOk()) {
          notCompleted++;
          firstProblem = firstProblem.isEmpty() ? "stream ended with " + status : firstProblem;
        }
      }
    }
    return new Report(ends.size(), bulk, sent, lost, corrupted, notCompleted, firstProblem, ran);
  }

  private static Status awaitEnd(AppStream stream) throws Exception {
    try {
      return stream.awaitEnd(END_TIMEOUT);
    } catch (TimeoutException e) {
      return Status.DEADLINE_EXCEEDED.withDescription("Stream did not end within " + END_TIMEOUT);
    }
  }
}
