package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.punchd.testing.Awaiting;
import dev.punchd.transport.Keepalive;
import dev.punchd.v1.CloseInitiator;
import dev.punchd.v1.CloseReason;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

class DataPipeTest {
  private static final int CAPACITY = 64 * 1024;
  private static final Keepalive KEEPALIVE = new Keepalive(Duration.ofMillis(100), Duration.ofSeconds(1));
  private final ReentrantLock lock = new ReentrantLock();

  /** Counting payload bytes let a million one-byte frames cost ~50 MB of heap for a 1 MiB buffer. */
  @Test
  void tinyFramesAreBoundedByTheirHeapCostNotTheirPayload() {
    DataPipe pipe = pipe();
    ScriptedLink peer = new ScriptedLink(1);
    pipe.start(peer, KEEPALIVE, EventLoops.NONE);

    long[] last = {-1};
    Awaiting.until(Duration.ofSeconds(30), "the reader to stop at a full buffer", () -> {
      long now = peer.reads.get();
      boolean stalled = now == last[0] && pipe.bufferedBytes() >= CAPACITY;
      last[0] = now;
      return stalled;
    });

    assertThat(pipe.bufferedBytes()).isLessThanOrEqualTo(DataPipe.heapBound(CAPACITY));
    assertThat(peer.reads.get()).as("one-byte chunks held")
        .isLessThanOrEqualTo(CAPACITY / (1 + ChunkQueue.CHUNK_OVERHEAD) + 1);
    end(pipe);
  }

  @Test
  void bytesNobodyCanTakeAnyMoreAreDroppedAtTheEnd() {
    DataPipe pipe = pipe();
    pipe.start(new ScriptedLink(1000), KEEPALIVE, EventLoops.NONE);
    Awaiting.until(Duration.ofSeconds(30), "bytes to arrive", () -> pipe.bufferedBytes() >= CAPACITY);

    end(pipe);

    assertThat(pipe.bufferedBytes()).isZero();
  }

  @Test
  void anAttachedStreamStillTakesWhatArrivedBeforeTheEndThenItGoesWhenItLeaves() {
    DataPipe pipe = pipe();
    StreamSink sink = quietSink();
    pipe.attach(sink);
    pipe.start(new ScriptedLink(1000), KEEPALIVE, EventLoops.NONE);
    Awaiting.until(Duration.ofSeconds(30), "bytes to arrive", () -> pipe.bufferedBytes() >= CAPACITY);

    end(pipe);

    assertThat(pipe.pollReceived().size()).isEqualTo(1000);
    pipe.detach(sink);
    assertThat(pipe.bufferedBytes()).isZero();
  }

  /** A client that re-attaches again and again, each time with a first message, cannot grow the queue. */
  @Test
  void outboundBytesAreCappedHoweverOftenAStreamReattaches() {
    DataPipe pipe = pipe(); // not started: nothing is written, as with a peer that stopped reading
    ByteString message = ByteString.copyFrom(new byte[EngineSettings.MAX_MESSAGE_BYTES]);
    assertThatThrownBy(() -> {
      for (int i = 0; i < 10; i++) {
        StreamSink sink = quietSink();
        pipe.attach(sink);
        pipe.send(message);
        pipe.detach(sink);
      }
    }).isInstanceOfSatisfying(PunchdException.class,
        e -> assertThat(e.kind()).isEqualTo(PunchdException.Kind.RESOURCE_EXHAUSTED));
    assertThat(pipe.queuedForPeer()).isLessThanOrEqualTo(DataPipe.SEND_LIMIT);
  }

  @Test
  void anIdleWriterPingsTheLinkAndSendingAfterTheEndIsRefusedQuietly() {
    DataPipe pipe = pipe();
    ScriptedLink peer = new ScriptedLink(1);
    pipe.start(peer, KEEPALIVE, EventLoops.NONE);
    Awaiting.until(Duration.ofSeconds(30), "two keepalive pings", () -> peer.pings.get() >= 2);

    end(pipe);

    assertThat(pipe.send(ByteString.copyFrom(new byte[10]))).isFalse();
  }

  /** A Stream end that takes nothing: bytes stay in the pipe. */
  private static StreamSink quietSink() {
    return new StreamSink() {
      @Override
      public void onReceivable() {}

      @Override
      public void onSent() {}
    };
  }

  private DataPipe pipe() {
    DataPipe.Owner owner = new DataPipe.Owner() {
      @Override
      public void outputFinished() {}

      @Override
      public void inputFinished() {}

      @Override
      public void broken(IOException cause) {}
    };
    return new DataPipe("test", CAPACITY, owner, EngineMetrics.NONE, lock);
  }

  private void end(DataPipe pipe) {
    StreamSink toTell;
    lock.lock();
    try {
      toTell = pipe.endLocked(new StreamEnd(false, CloseInitiator.LOCAL, CloseReason.APPLICATION, "test"));
    } finally {
      lock.unlock();
    }
    if (toTell != null) {
      toTell.onReceivable();
    }
  }
}
