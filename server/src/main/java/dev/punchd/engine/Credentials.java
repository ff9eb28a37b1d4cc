package dev.punchd.engine;

/**
 * The local identity of one SECURE connection: what the application hands to the peer, and how candidates
 * are authenticated against the peer's fingerprint. Implementations are immutable.
 */
public interface Credentials {

  /** Lowercase hex fingerprint the peer must pass as {@code peer_fingerprint}. */
  String fingerprint();

  /** A handshaker that accepts only the peer with {@code peerFingerprint}, for a stream without sessions. */
  default Handshaker handshaker(String peerFingerprint) {
    return handshaker(peerFingerprint, false);
  }

  /**
   * A handshaker that accepts only the peer with {@code peerFingerprint}; with {@code sessions} its NOMINATE
   * names the session protocol version, so a peer configured otherwise is refused before any byte flows.
   */
  Handshaker handshaker(String peerFingerprint, boolean sessions);
}
