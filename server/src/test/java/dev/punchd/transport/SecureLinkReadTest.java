package dev.punchd.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.testing.ScriptedSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** How SecureLink hands received DATA frames to its reader: one read takes every frame that has arrived. */
class SecureLinkReadTest {

  @Test
  void readMoreTakesTheFramesThatHaveArrivedSkippingPingsAndStopsAtFin() throws IOException {
    SecureLink link = linkReading(frame(SecureLink.DATA, "abc"), frame(SecureLink.PING, ""),
        frame(SecureLink.DATA, "defg"), frame(SecureLink.FIN, ""));
    byte[] buffer = new byte[link.readSize()];

    int first = link.read(buffer);
    int more = link.readMore(buffer, first);

    assertThat(new String(buffer, 0, first + more, StandardCharsets.US_ASCII)).isEqualTo("abcdefg");
    assertThat(link.readMore(buffer, first + more)).as("nothing after FIN").isZero();
    assertThat(link.read(buffer)).as("FIN").isEqualTo(-1);
  }

  @Test
  void readMoreStopsWhereTheBufferEndsAndTheNextReadGoesOnInTheFrame() throws IOException {
    SecureLink link = linkReading(frame(SecureLink.DATA, "abc"), frame(SecureLink.DATA, "defg"),
        frame(SecureLink.FIN, ""));
    byte[] buffer = new byte[5];

    assertThat(link.read(buffer)).isEqualTo(3);
    assertThat(link.readMore(buffer, 3)).isEqualTo(2);
    assertThat(new String(buffer, StandardCharsets.US_ASCII)).isEqualTo("abcde");
    assertThat(link.read(buffer)).isEqualTo(2);
    assertThat(new String(buffer, 0, 2, StandardCharsets.US_ASCII)).isEqualTo("fg");
  }

  /** The bytes in front of the peer's CLOSE are returned first; the CLOSE is the next call's. */
  @Test
  void aCloseBehindDataComesAfterTheData() throws IOException {
    SecureLink link = linkReading(frame(SecureLink.DATA, "abc"), frame(SecureLink.DATA, "de"),
        closeFrame(PeerCloseReason.ERROR, "bye"));
    byte[] buffer = new byte[64];

    int first = link.read(buffer);
    int more = link.readMore(buffer, first);

    assertThat(new String(buffer, 0, first + more, StandardCharsets.US_ASCII)).isEqualTo("abcde");
    assertThatThrownBy(() -> link.readMore(buffer, first + more)).isInstanceOf(PeerClosedException.class)
        .hasMessageContaining("bye");
  }

  private static SecureLink linkReading(byte[]... frames) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      all.writeBytes(f);
    }
    ScriptedSocket socket = new ScriptedSocket(all.toByteArray());
    return new SecureLink(socket);
  }

  private static byte[] frame(int type, String payload) {
    return frame(type, payload.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] closeFrame(PeerCloseReason reason, String message) {
    byte[] text = message.getBytes(StandardCharsets.UTF_8);
    byte[] payload = Arrays.copyOf(new byte[] {(byte) reason.code()}, 1 + text.length);
    System.arraycopy(text, 0, payload, 1, text.length);
    return frame(SecureLink.CLOSE, payload);
  }

  private static byte[] frame(int type, byte[] payload) {
    byte[] frame = new byte[5 + payload.length];
    frame[0] = (byte) type;
    frame[1] = (byte) (payload.length >>> 24);
    frame[2] = (byte) (payload.length >>> 16);
    frame[3] = (byte) (payload.length >>> 8);
    frame[4] = (byte) payload.length;
    System.arraycopy(payload, 0, frame, 5, payload.length);
    return frame;
  }
}
