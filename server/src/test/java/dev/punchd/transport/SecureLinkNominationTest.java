package dev.punchd.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.punchd.testing.ScriptedSocket;
import dev.punchd.transport.SecureLink.Nominated;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the controlled side keeps: a NOMINATE for the stream it expects, and for a session the same path kind. */
class SecureLinkNominationTest {

  @Test
  void aNominationForTheExpectedStreamIsKept() throws IOException {
    for (Nominated stream : Nominated.values()) {
      assertThat(nominatedAs(stream).awaitNomination(1000, stream)).as("%s", stream).isTrue();
    }
  }

  /**
   * The controlling side's standby attempt may nominate a stale candidate of the first attempt as a later path
   * while the controlled side still picks the first path: that candidate must lose, not open the session.
   */
  @Test
  void aSessionPathOfTheOtherKindLoses() throws IOException {
    assertThat(nominatedAs(Nominated.JOINS_SESSION).awaitNomination(1000, Nominated.OPENS_SESSION)).isFalse();
    assertThat(nominatedAs(Nominated.OPENS_SESSION).awaitNomination(1000, Nominated.JOINS_SESSION)).isFalse();
  }

  @Test
  void anotherVersionIsRefusedNamingBoth() {
    assertThatThrownBy(() -> nominatedAs(Nominated.PLAIN).awaitNomination(1000, Nominated.OPENS_SESSION))
        .isInstanceOf(ProtocolVersionException.class)
        .hasMessageContaining("peer speaks punchd wire protocol version 1, this side 3");
  }

  @Test
  void aSessionNominationWithoutItsPathKindIsAProtocolError() {
    byte[] versionOnly = ByteBuffer.allocate(6).put((byte) SecureLink.NOMINATE).putInt(1)
        .put((byte) SecureLink.PROTOCOL_VERSION_SESSIONS).array();
    ScriptedSocket socket = new ScriptedSocket(versionOnly);

    assertThatThrownBy(() -> new SecureLink(socket).awaitNomination(1000, Nominated.OPENS_SESSION))
        .isInstanceOf(IOException.class).hasMessageContaining("has 1 bytes, expected 2");
  }

  @Test
  void aSessionsNominationLeavesInOneWriteWithTheSessionsFirstFrameAPlainOneAtOnce() throws IOException {
    ScriptedSocket plain = new ScriptedSocket(new byte[0]);
    new SecureLink(plain).sendNomination(Nominated.PLAIN);
    assertThat(plain.writes()).as("plain: NOMINATE sent by itself").hasSize(1);

    for (Nominated session : new Nominated[] {Nominated.OPENS_SESSION, Nominated.JOINS_SESSION}) {
      ScriptedSocket socket = new ScriptedSocket(new byte[0]);
      SecureLink link = new SecureLink(socket);
      link.sendNomination(session);
      assertThat(socket.writes()).as("%s: held until the session's first frame", session).isEmpty();
      link.write(ByteString.copyFromUtf8("OPEN"));
      assertThat(socket.writes()).as("%s: one write", session).hasSize(1);

      SecureLink reader = new SecureLink(new ScriptedSocket(socket.written()));
      assertThat(reader.awaitNomination(1000, session)).isTrue();
      byte[] first = new byte[4];
      assertThat(reader.read(first)).isEqualTo(4);
      assertThat(first).asString(StandardCharsets.US_ASCII).isEqualTo("OPEN");
    }
  }

  @Test
  void aHeldNominationGoesFirstInTheSameWriteAsAControlFrame() throws IOException {
    ScriptedSocket socket = new ScriptedSocket(new byte[0]);
    SecureLink link = new SecureLink(socket);
    link.sendNomination(Nominated.OPENS_SESSION);
    link.finishOutput();
    assertThat(socket.writes()).hasSize(1);
    SecureLink reader = new SecureLink(new ScriptedSocket(socket.written()));
    assertThat(reader.awaitNomination(1000, Nominated.OPENS_SESSION)).isTrue();
    assertThat(reader.read(new byte[1])).as("the FIN behind it").isEqualTo(-1);
  }

  /** A link reading what the controlling side wrote when it nominated for {@code stream} (and then wrote nothing). */
  private static SecureLink nominatedAs(Nominated stream) throws IOException {
    ScriptedSocket written = new ScriptedSocket(new byte[0]);
    SecureLink link = new SecureLink(written);
    link.sendNomination(stream);
    link.write(ByteString.EMPTY); // a session's NOMINATE waits for a write
    return new SecureLink(new ScriptedSocket(written.written()));
  }
}
