package dev.punchd.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.punchd.v1.StreamResponse;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The receiving side of {@link LineStream}: the stream keeps no message boundaries, lines must survive that. */
class LineStreamTest {

  @Test
  void printsLinesSplitAnywhereAcrossMessagesAndTheUnterminatedLastLineAtTheEnd() {
    OutputCapture stdout = new OutputCapture();
    LineStream stream = new LineStream(new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(new OutputCapture(), true, StandardCharsets.UTF_8));
    byte[] received = "héllo\nsecond line\n\nlast".getBytes(StandardCharsets.UTF_8);

    stream.onNext(chunk(received, 0, 2)); // "h" and the first byte of "é"
    assertThat(stdout.text()).isEmpty();
    stream.onNext(chunk(received, 2, 12)); // the rest of "é", "llo\nsecon"
    assertThat(stdout.text()).isEqualTo("< héllo\n");
    stream.onNext(chunk(received, 12, received.length));
    assertThat(stdout.text()).isEqualTo("< héllo\n< second line\n< \n");

    stream.onCompleted();
    assertThat(stdout.text()).isEqualTo("< héllo\n< second line\n< \n< last\n");
  }

  @Test
  void peerFinishedPrintsTheUnterminatedLastLineThenANoticeOnStderr() {
    OutputCapture stdout = new OutputCapture();
    OutputCapture stderr = new OutputCapture();
    LineStream stream = new LineStream(new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));

    stream.onNext(chunk("bye\nno newline".getBytes(StandardCharsets.UTF_8), 0, 14));
    assertThat(stderr.text()).isEmpty();
    stream.onNext(StreamResponse.newBuilder().setPeerFinished(true).build());

    assertThat(stdout.text()).isEqualTo("< bye\n< no newline\n");
    assertThat(stderr.text()).isEqualTo(LineStream.PEER_FINISHED + "\n");
    stream.onCompleted();
    assertThat(stdout.text()).isEqualTo("< bye\n< no newline\n");
  }

  private static StreamResponse chunk(byte[] bytes, int from, int to) {
    return StreamResponse.newBuilder().setData(ByteString.copyFrom(Arrays.copyOfRange(bytes, from, to))).build();
  }
}
