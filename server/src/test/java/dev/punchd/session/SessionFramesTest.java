package dev.punchd.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.testing.InertLink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SessionFramesTest {

  @Test
  void anIdleReaderHoldsASmallBufferAndBulkFramesMoveItToThePathsReadSize() throws IOException {
    byte[] payload = new byte[SessionFrames.MAX_DATA];
    new Random(7).nextBytes(payload);
    PipeLink path = new PipeLink(frame(SessionFrames.DATA, payload), null);
    SessionFrames.Reader reader = new SessionFrames.Reader(path);

    assertThat(reader.type()).isEqualTo(SessionFrames.DATA);
    int length = reader.length(SessionFrames.DATA, SessionFrames.MAX_DATA);
    byte[] got = new byte[length];
    assertThat(reader.readPayload(got, 0, length)).isEqualTo(length);

    assertThat(got).isEqualTo(payload);
    assertThat(path.offered.get(0)).as("first read buffer").isEqualTo(256);
    assertThat(path.offered).as("after a full read").contains(PipeLink.READ_SIZE);
  }

  @Test
  void aFailureMetAfterSomeBytesComesAfterThoseBytes() throws IOException {
    byte[] ack = frame(SessionFrames.ACK, new byte[] {0, 0, 0, 0, 0, 0, 0, 42});
    IOException broken = new IOException("path reset");
    SessionFrames.Reader reader = new SessionFrames.Reader(new PipeLink(ack, broken));

    assertThat(reader.type()).isEqualTo(SessionFrames.ACK);
    reader.length(SessionFrames.ACK, 8);
    assertThat(reader.readLong()).isEqualTo(42);
    assertThatThrownBy(reader::type).isSameAs(broken);
  }

  private static byte[] frame(int type, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(SessionFrames.header(type, payload.length).toByteArray());
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /**
   * A path whose bytes have all arrived: {@code read} gives 100 at most, {@code readMore} the rest, then the
   * failure (if any) once everything is read. Records the buffer sizes it is offered. One reader thread.
   */
  private static final class PipeLink extends InertLink {
    static final int READ_SIZE = 64 * 1024;
    final List<Integer> offered = new ArrayList<>();
    private final byte[] bytes;
    private final IOException failure;
    private int position;

    PipeLink(byte[] bytes, IOException failure) {
      this.bytes = bytes;
      this.failure = failure;
    }

    @Override
    public int readSize() {
      return READ_SIZE;
    }

    @Override
    public int read(byte[] buffer) throws IOException {
      offered.add(buffer.length);
      if (position == bytes.length) {
        throw failure != null ? failure : new IOException("nothing more will arrive");
      }
      return take(buffer, 0, 100);
    }

    @Override
    public int readMore(byte[] buffer, int offset) throws IOException {
      if (position == bytes.length && failure != null) {
        throw failure;
      }
      return take(buffer, offset, buffer.length - offset);
    }

    private int take(byte[] buffer, int offset, int max) {
      int n = Math.min(max, bytes.length - position);
      System.arraycopy(bytes, position, buffer, offset, n);
      position += n;
      return n;
    }
  }
}
