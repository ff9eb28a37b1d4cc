package dev.punchd.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.testing.ScriptedSocket;
import dev.punchd.transport.SecureLink.Nominated;
import java.io.IOException;
import java.nio.ByteBuffer;
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

  /** A link reading what the controlling side wrote when it nominated for {@code stream}. */
  private static SecureLink nominatedAs(Nominated stream) throws IOException {
    ScriptedSocket written = new ScriptedSocket(new byte[0]);
    new SecureLink(written).sendNomination(stream);
    return new SecureLink(new ScriptedSocket(written.written()));
  }
}
