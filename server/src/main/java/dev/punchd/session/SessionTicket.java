package dev.punchd.session;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A session's id and secret, derived from the random seed the controlling side sends inside the first path's
 * TLS (both sides authenticated by their pinned certificates, so the seed reaches only the peer), and the
 * highest path generation the peer has attached with. A later path proves knowledge of the secret with an
 * HMAC-SHA256 over both fresh nonces of that path, the sender's role, its path generation and its received
 * offset: a proof from another path (old nonces) or with a generation that does not increase is refused.
 * Thread-safe.
 */
public final class SessionTicket {
  static final int SEED_BYTES = 32;
  static final int ID_BYTES = 16;
  static final int MAC_BYTES = 32;
  private static final byte[] ID_LABEL = "punchd session id v2".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SECRET_LABEL = "punchd session secret v2".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ATTACH_LABEL = "punchd attach v1".getBytes(StandardCharsets.US_ASCII);

  private final byte[] id;
  private final SecretKeySpec key;
  private long peerGeneration; // guarded by this: the highest generation the peer attached with

  private SessionTicket(byte[] id, byte[] secret) {
    this.id = id;
    this.key = new SecretKeySpec(secret, "HmacSHA256");
  }

  /** The ticket both sides derive from the controlling side's seed. */
  public static SessionTicket derive(byte[] seed) {
    if (seed.length != SEED_BYTES) {
      throw new IllegalArgumentException("a session seed must be " + SEED_BYTES + " bytes, got " + seed.length);
    }
    byte[] id = Arrays.copyOf(digest(ID_LABEL, seed), ID_BYTES);
    return new SessionTicket(id, digest(SECRET_LABEL, seed));
  }

  byte[] id() {
    return id.clone();
  }

  /** The id as hex, for logs and refusals (the secret never leaves this class). */
  public String idHex() {
    return HexFormat.of().formatHex(id);
  }

  /** The proof this side sends on a new path. */
  byte[] proof(boolean controlling, byte[] ownNonce, byte[] peerNonce, long generation, long received) {
    return mac(controlling, ownNonce, peerNonce, generation, received);
  }

  /**
   * Checks the peer's proof for this path and records its generation.
   *
   * @param peerControlling the peer's role (the opposite of this side's)
   * @throws AttachRefusedException naming why: wrong key or other nonces, or a generation not above the last
   */
  synchronized void verify(boolean peerControlling, byte[] peerNonce, byte[] ownNonce, long generation,
      long received, byte[] proof) throws AttachRefusedException {
    byte[] expected = mac(peerControlling, peerNonce, ownNonce, generation, received);
    if (!MessageDigest.isEqual(expected, proof)) {
      throw new AttachRefusedException("ATTACH to session " + idHex()
          + " refused: the proof does not match (wrong key, or replayed from another path)");
    }
    if (generation <= peerGeneration) {
      throw new AttachRefusedException("ATTACH to session " + idHex() + " refused: path generation " + generation
          + " is not above " + peerGeneration + " (replayed)");
    }
    peerGeneration = generation;
  }

  private byte[] mac(boolean controlling, byte[] senderNonce, byte[] receiverNonce, long generation,
      long received) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(ATTACH_LABEL);
      mac.update(id);
      mac.update((byte) (controlling ? 1 : 0));
      mac.update(senderNonce);
      mac.update(receiverNonce);
      mac.update(ByteBuffer.allocate(16).putLong(generation).putLong(received).array());
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static byte[] digest(byte[] label, byte[] seed) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(label);
      sha.update(seed);
      return sha.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
