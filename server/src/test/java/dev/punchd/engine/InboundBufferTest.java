package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InboundBufferTest {

  @Test
  void aFullBufferBlocksThePutterUntilSomethingIsTaken() throws Exception {
    InboundBuffer buffer = new InboundBuffer(10);
    assertThat(buffer.put(new byte[10])).isTrue();
    CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> {
      try {
        return buffer.put(new byte[3]);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(blocked).isNotDone();
    assertThat(buffer.bufferedBytes()).isEqualTo(10);

    assertThat(buffer.poll()).hasSize(10);
    assertThat(blocked.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(buffer.bufferedBytes()).isEqualTo(3);
  }

  @Test
  void aCleanFinishKeepsTheBytesBeforeIt() throws Exception {
    InboundBuffer buffer = new InboundBuffer(100);
    AtomicInteger notified = new AtomicInteger();
    buffer.setListener(notified::incrementAndGet);
    buffer.put(new byte[] {1, 2});
    buffer.finish();

    assertThat(buffer.isDrained()).isFalse();
    assertThat(buffer.poll()).containsExactly(1, 2);
    assertThat(buffer.isDrained()).isTrue();
    assertThat(buffer.peerFinished()).isTrue();
    assertThat(notified.get()).as("on listen, on put, on finish").isEqualTo(3);
  }

  @Test
  void closingWakesABlockedPutterAndIsNotAFinish() throws Exception {
    InboundBuffer buffer = new InboundBuffer(1);
    buffer.put(new byte[1]);
    CompletableFuture<Boolean> blocked = CompletableFuture.supplyAsync(() -> {
      try {
        return buffer.put(new byte[1]);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    buffer.close();

    assertThat(blocked.get(10, TimeUnit.SECONDS)).isFalse();
    assertThat(buffer.peerFinished()).isFalse();
    assertThat(buffer.poll()).hasSize(1);
    assertThat(buffer.isDrained()).isTrue();
  }
}
