package dev.punchd.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SessionTicketTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void bothSidesDeriveTheSameTicketAndAcceptEachOthersProof() throws Exception {
    byte[] a = half();
    byte[] b = half();
    SessionTicket controlling = SessionTicket.derive(a, b);
    SessionTicket controlled = SessionTicket.derive(a, b);
    byte[] ownNonce = nonce();
    byte[] peerNonce = nonce();
    byte[] proof = controlling.proof(true, ownNonce, peerNonce, 2, 1234);

    controlled.verify(true, ownNonce, peerNonce, 2, 1234, proof);

    assertThat(controlled.idHex()).isEqualTo(controlling.idHex());
  }

  @Test
  void aProofMadeWithAnotherKeyIsRefused() {
    SessionTicket stranger = SessionTicket.derive(half(), half());
    SessionTicket ours = SessionTicket.derive(half(), half());
    byte[] n1 = nonce();
    byte[] n2 = nonce();
    byte[] proof = stranger.proof(true, n1, n2, 2, 0);

    assertThatThrownBy(() -> ours.verify(true, n1, n2, 2, 0, proof))
        .isInstanceOf(AttachRefusedException.class).hasMessageContaining("does not match");
  }

  @Test
  void aProofReplayedFromAnotherPathIsRefused() throws Exception {
    SessionTicket ticket = SessionTicket.derive(half(), half());
    byte[] oldPeerNonce = nonce();
    byte[] oldOwnNonce = nonce();
    byte[] recorded = ticket.proof(true, oldPeerNonce, oldOwnNonce, 2, 0);
    ticket.verify(true, oldPeerNonce, oldOwnNonce, 2, 0, recorded);

    // the replayer cannot choose this side's fresh nonce
    byte[] freshOwnNonce = nonce();
    assertThatThrownBy(() -> ticket.verify(true, oldPeerNonce, freshOwnNonce, 2, 0, recorded))
        .isInstanceOf(AttachRefusedException.class).hasMessageContaining("does not match");
  }

  @Test
  void aGenerationThatDoesNotIncreaseIsRefused() throws Exception {
    SessionTicket ticket = SessionTicket.derive(half(), half());
    byte[] n1 = nonce();
    byte[] n2 = nonce();
    byte[] proof = ticket.proof(false, n1, n2, 3, 7);
    ticket.verify(false, n1, n2, 3, 7, proof);

    assertThatThrownBy(() -> ticket.verify(false, n1, n2, 3, 7, proof))
        .isInstanceOf(AttachRefusedException.class).hasMessageContaining("generation 3 is not above 3");
  }

  @Test
  void halvesOfTheWrongSizeAreRefusedNamingTheSizes() {
    assertThatThrownBy(() -> SessionTicket.derive(new byte[31], half()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 31 and 32");
  }

  private static byte[] half() {
    byte[] b = new byte[SessionTicket.HALF_BYTES];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] nonce() {
    byte[] b = new byte[PathBinder.NONCE_BYTES];
    RANDOM.nextBytes(b);
    return b;
  }
}
