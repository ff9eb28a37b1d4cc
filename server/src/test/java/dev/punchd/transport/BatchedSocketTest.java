package dev.punchd.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchedSocketTest {
  private final RecordingSocket connected = new RecordingSocket();

  @Test
  void aShortReadWithSeveralRecordsWaitingTakesThemAllAndServesTheNextReadsFromThem() throws IOException {
    byte[] waiting = pattern(3 * 16 * 1024 + 100);
    connected.input.arrive(waiting);
    BatchedSocket socket = new BatchedSocket(connected);
    InputStream in = socket.getInputStream();

    byte[] header = in.readNBytes(5);
    int readsAfterHeader = connected.input.reads;
    byte[] body = in.readNBytes(waiting.length - 5);

    assertThat(readsAfterHeader).isEqualTo(1);
    assertThat(connected.input.reads).as("served from the batch").isEqualTo(1);
    assertThat(concat(header, body)).isEqualTo(waiting);
  }

  @Test
  void availableCountsBatchedBytesWhenNothingMoreWaitsOnTheSocket() throws IOException {
    connected.input.arrive(pattern(40 * 1024));
    InputStream in = new BatchedSocket(connected).getInputStream();

    in.readNBytes(5);

    assertThat(connected.input.available()).isZero();
    assertThat(in.available()).isEqualTo(40 * 1024 - 5);
  }

  @Test
  void readsGoStraightToTheSocketWhenTooLittleWaitsToBeWorthABuffer() throws IOException {
    byte[] flight = pattern(1200); // a handshake flight: the hello with the ClientHello behind it
    connected.input.arrive(flight);
    InputStream in = new BatchedSocket(connected).getInputStream();

    byte[] first = in.readNBytes(5);
    byte[] rest = in.readNBytes(flight.length - 5);

    assertThat(connected.input.largestRead).as("no read asked for more than the caller").isEqualTo(1195);
    assertThat(concat(first, rest)).isEqualTo(flight);
  }

  @Test
  void heldRecordsLeaveTogetherWithTheFirstRecordWrittenAfterTheRelease() throws IOException {
    BatchedSocket socket = new BatchedSocket(connected);
    OutputStream out = socket.getOutputStream();
    byte[] a = pattern(16 * 1024 + 22);
    byte[] b = pattern(16 * 1024 + 22);
    byte[] c = pattern(300);

    socket.holdWrites();
    out.write(a);
    out.flush();
    out.write(b);
    out.flush();
    assertThat(connected.output.writes).as("held").isEmpty();
    socket.releaseWrites();
    assertThat(connected.output.writes).as("a release sends nothing by itself").isEmpty();
    out.write(c);

    assertThat(connected.output.writes).hasSize(1);
    assertThat(connected.output.written()).isEqualTo(concat(concat(a, b), c));
  }

  @Test
  void aFlushAfterTheReleaseSendsWhatWasGathered() throws IOException {
    BatchedSocket socket = new BatchedSocket(connected);
    OutputStream out = socket.getOutputStream();
    byte[] a = pattern(500);

    socket.holdWrites();
    out.write(a);
    socket.releaseWrites();
    out.flush();

    assertThat(connected.output.written()).isEqualTo(a);
  }

  @Test
  void writesThatAreNotHeldPassStraightThrough() throws IOException {
    OutputStream out = new BatchedSocket(connected).getOutputStream();

    out.write(pattern(10));
    out.write(pattern(20));

    assertThat(connected.output.writes).extracting(w -> w.length).containsExactly(10, 20);
  }

  @Test
  void heldWritesNeverGatherMoreThanOneBatch() throws IOException {
    BatchedSocket socket = new BatchedSocket(connected);
    OutputStream out = socket.getOutputStream();
    byte[] all = pattern(10 * (16 * 1024 + 22));

    socket.holdWrites();
    for (int i = 0; i < 10; i++) {
      out.write(all, i * (16 * 1024 + 22), 16 * 1024 + 22);
    }
    socket.releaseWrites();
    out.flush();

    assertThat(connected.output.writes).allSatisfy(w -> assertThat(w.length).isLessThanOrEqualTo(BatchedSocket.GATHER));
    assertThat(connected.output.writes.size()).isLessThan(10);
    assertThat(connected.output.written()).isEqualTo(all);
  }

  @Test
  void holdsNestAndAnUnmatchedReleaseIsAnError() throws IOException {
    BatchedSocket socket = new BatchedSocket(connected);
    OutputStream out = socket.getOutputStream();

    socket.holdWrites();
    socket.holdWrites();
    socket.releaseWrites();
    out.write(pattern(5));
    out.flush();
    assertThat(connected.output.writes).as("still held once").isEmpty();
    socket.releaseWrites();
    out.flush();

    assertThat(connected.output.written()).hasSize(5);
    assertThatThrownBy(socket::releaseWrites).isInstanceOf(IllegalStateException.class);
  }

  private static byte[] pattern(int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + length);
    }
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  /** A socket whose input is what a test put there (all of it waiting) and whose output records each write. */
  private static final class RecordingSocket extends Socket {
    final WaitingInput input = new WaitingInput();
    final RecordingOutput output = new RecordingOutput();

    @Override
    public InputStream getInputStream() {
      return input;
    }

    @Override
    public OutputStream getOutputStream() {
      return output;
    }
  }

  private static final class WaitingInput extends InputStream {
    private byte[] bytes = new byte[0];
    private int position;
    int reads;
    int largestRead;

    void arrive(byte[] arrived) {
      bytes = arrived;
      position = 0;
    }

    @Override
    public int read() {
      throw new AssertionError("single-byte reads are not expected");
    }

    @Override
    public int read(byte[] b, int off, int len) {
      reads++;
      int n = Math.min(len, bytes.length - position);
      if (n == 0) {
        return -1;
      }
      largestRead = Math.max(largestRead, n);
      System.arraycopy(bytes, position, b, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return bytes.length - position;
    }
  }

  private static final class RecordingOutput extends OutputStream {
    final List<byte[]> writes = new ArrayList<>();

    @Override
    public void write(int b) {
      throw new AssertionError("single-byte writes are not expected");
    }

    @Override
    public void write(byte[] b, int off, int len) {
      writes.add(Arrays.copyOfRange(b, off, off + len));
    }

    byte[] written() {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      writes.forEach(all::writeBytes);
      return all.toByteArray();
    }
  }
}
