package dev.punchd.session;

import dev.punchd.transport.Link;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * The session handshake on a path whose TLS (with the pinned fingerprints) has completed. On the first path,
 * {@link #open}: the controlling side sends OPEN with a random seed and both derive the {@link SessionTicket}
 * from it. On a later path, {@link #attach}: each side sends HELLO (session id, fresh nonce), then PROOF (its
 * path generation, the offset it has received up to, and the HMAC over both nonces); an unknown session, a
 * wrong key or a replayed proof is refused with {@link AttachRefusedException}. Both sides send before they
 * read, so neither waits for the other's role. The caller bounds the time (it closes the path on its timeout).
 * Stateless; thread-safe.
 */
public final class PathBinder {
  static final int NONCE_BYTES = 16;
  private static final int PROOF_BYTES = 16 + SessionTicket.MAC_BYTES;

  private final SecureRandom random;

  public PathBinder(SecureRandom random) {
    this.random = random;
  }

  /** A path bound to a session: where the peer resumes and the reader positioned after the handshake. */
  public static final class BoundPath {
    final Link path;
    final SessionFrames.Reader reader;
    final SessionTicket ticket;
    final long peerReceived;
    final long ownReceived;

    BoundPath(Link path, SessionFrames.Reader reader, SessionTicket ticket, long peerReceived, long ownReceived) {
      this.path = path;
      this.reader = reader;
      this.ticket = ticket;
      this.peerReceived = peerReceived;
      this.ownReceived = ownReceived;
    }

    public SessionTicket ticket() {
      return ticket;
    }

    /** The path the session was agreed on. */
    public Link path() {
      return path;
    }

    /** The stream offset the peer has received up to: this side resends from there. */
    public long peerReceived() {
      return peerReceived;
    }
  }

  /**
   * First path: the controlling side sends OPEN with the session's random seed and goes on without waiting
   * (it sends it right behind its NOMINATE, so the session adds no round trip); the controlled side reads it.
   * Both derive the session's ticket from the seed.
   */
  public BoundPath open(Link path, boolean controlling) throws IOException {
    SessionFrames.Reader reader = new SessionFrames.Reader(path);
    byte[] seed;
    if (controlling) {
      seed = new byte[SessionTicket.SEED_BYTES];
      random.nextBytes(seed);
      SessionFrames.write(path, SessionFrames.OPEN, seed);
    } else {
      seed = expect(reader, SessionFrames.OPEN, SessionTicket.SEED_BYTES);
    }
    return new BoundPath(path, reader, SessionTicket.derive(seed), 0, 0);
  }

  /**
   * A later path: proves this side holds {@code ticket}'s secret and checks the peer's proof.
   *
   * @param generation this side's path generation ({@link SessionLink#nextGeneration()}), above the last one
   * @param received the offset this side has received up to ({@link SessionLink#received()})
   * @throws AttachRefusedException when the peer names another session or its proof does not verify
   */
  public BoundPath attach(Link path, SessionTicket ticket, boolean controlling, long generation, long received)
      throws IOException {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    SessionFrames.write(path, SessionFrames.HELLO, ByteBuffer.allocate(SessionTicket.ID_BYTES + NONCE_BYTES)
        .put(ticket.id()).put(nonce).array());
    SessionFrames.Reader reader = new SessionFrames.Reader(path);
    ByteBuffer hello = ByteBuffer.wrap(expect(reader, SessionFrames.HELLO, SessionTicket.ID_BYTES + NONCE_BYTES));
    byte[] peerId = new byte[SessionTicket.ID_BYTES];
    byte[] peerNonce = new byte[NONCE_BYTES];
    hello.get(peerId).get(peerNonce);
    if (!MessageDigest.isEqual(peerId, ticket.id())) {
      throw new AttachRefusedException("ATTACH refused: the peer names session "
          + java.util.HexFormat.of().formatHex(peerId) + ", this path belongs to session " + ticket.idHex());
    }
    byte[] mac = ticket.proof(controlling, nonce, peerNonce, generation, received);
    SessionFrames.write(path, SessionFrames.PROOF, ByteBuffer.allocate(PROOF_BYTES)
        .putLong(generation).putLong(received).put(mac).array());
    ByteBuffer proof = ByteBuffer.wrap(expect(reader, SessionFrames.PROOF, PROOF_BYTES));
    long peerGeneration = proof.getLong();
    long peerReceived = proof.getLong();
    byte[] peerMac = new byte[SessionTicket.MAC_BYTES];
    proof.get(peerMac);
    ticket.verify(!controlling, peerNonce, nonce, peerGeneration, peerReceived, peerMac);
    return new BoundPath(path, reader, ticket, peerReceived, received);
  }

  private static byte[] expect(SessionFrames.Reader reader, int type, int length) throws IOException {
    int got = reader.type();
    if (got != type) {
      throw new SessionProtocolException("expected session frame type " + type + ", got " + got);
    }
    int n = reader.length(type, SessionFrames.MAX_CONTROL);
    if (n != length) {
      throw new SessionProtocolException("session frame type " + type + " with " + n + " bytes, expected " + length);
    }
    return reader.readBytes(n);
  }
}
