package dev.punchd.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class RetransmitBufferTest {
  private static final int CAPACITY = 64 * 1024;

  @Test
  void tinyChunksCountTheirOverheadSoTheHeapStaysWithinTheCapacity() throws Exception {
    RetransmitBuffer buffer = new RetransmitBuffer(CAPACITY);
    int added = 0;
    while (buffer.fits(1, CAPACITY)) {
      buffer.add(ByteString.copyFrom(new byte[] {(byte) added}));
      added++;
    }
    assertThat(buffer.heap()).isLessThanOrEqualTo(CAPACITY);
    assertThat(added).as("one-byte chunks held in a 64 KiB window")
        .isEqualTo(CAPACITY / (1 + RetransmitBuffer.CHUNK_OVERHEAD));
    buffer.acknowledge(added);
    assertThat(buffer.heap()).isZero();
    assertThat(buffer.fits(1, CAPACITY)).isTrue();
  }

  @Test
  void aWindowBelowOneChunkStillLetsOneChunkThrough() {
    RetransmitBuffer buffer = new RetransmitBuffer(CAPACITY);
    assertThat(buffer.fits(SessionFrames.MAX_DATA, 1)).as("nothing held").isTrue();
    buffer.add(ByteString.copyFrom(new byte[SessionFrames.MAX_DATA]));
    assertThat(buffer.fits(1, 1)).as("one chunk held").isFalse();
  }
}
