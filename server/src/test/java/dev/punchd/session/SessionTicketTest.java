package dev.punchd.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class SessionTicketTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void bothSidesDeriveTheSameTicketAndAcceptEachOthersProof() throws Exception {
    byte[] seed = seed();
    SessionTicket controlling = SessionTicket.derive(seed);
    SessionTicket controlled = SessionTicket.derive(seed.clone());
    byte[] ownNonce = nonce();
    byte[] peerNonce = nonce();
    byte[] proof = controlling.proof(true, ownNonce, peerNonce, 2, 1234);

    controlled.verify(true, ownNonce, peerNonce, 2, 1234, proof);

    assertThat(controlled.idHex()).isEqualTo(controlling.idHex());
  }

  @Test
  void aProofMadeWithAnotherKeyIsRefused() {
    SessionTicket stranger = SessionTicket.derive(seed());
    SessionTicket ours = SessionTicket.derive(seed());
    byte[] n1 = nonce();
    byte[] n2 = nonce();
    byte[] proof = stranger.proof(true, n1, n2, 2, 0);

    assertThatThrownBy(() -> ours.verify(true, n1, n2, 2, 0, proof))
        .isInstanceOf(AttachRefusedException.class).hasMessageContaining("does not match");
  }

  @Test
  void aProofReplayedFromAnotherPathIsRefused() throws Exception {
    SessionTicket ticket = SessionTicket.derive(seed());
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
    SessionTicket ticket = SessionTicket.derive(seed());
    byte[] n1 = nonce();
    byte[] n2 = nonce();
    byte[] proof = ticket.proof(false, n1, n2, 3, 7);
    ticket.verify(false, n1, n2, 3, 7, proof);

    assertThatThrownBy(() -> ticket.verify(false, n1, n2, 3, 7, proof))
        .isInstanceOf(AttachRefusedException.class).hasMessageContaining("generation 3 is not above 3");
  }

  @Test
  void aSeedOfTheWrongSizeIsRefusedNamingItsSize() {
    assertThatThrownBy(() -> SessionTicket.derive(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 32 bytes, got 31");
  }

  private static byte[] seed() {
    byte[] b = new byte[SessionTicket.SEED_BYTES];
    RANDOM.nextBytes(b);
    return b;
  }

  private static byte[] nonce() {
    byte[] b = new byte[PathBinder.NONCE_BYTES];
    RANDOM.nextBytes(b);
    return b;
  }
}
