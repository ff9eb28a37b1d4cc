package dev.punchd.engine;

import dev.punchd.transport.SecureLink;

/**
 * The local identity of one SECURE connection: what the application hands to the peer, and how candidates
 * are authenticated against the peer's fingerprint. Implementations are immutable.
 */
public interface Credentials {

  /** Lowercase hex fingerprint the peer must pass as {@code peer_fingerprint}. */
  String fingerprint();

  /** A handshaker that accepts only the peer with {@code peerFingerprint}, for a stream without sessions. */
  default Handshaker handshaker(String peerFingerprint) {
    return handshaker(peerFingerprint, SecureLink.Nominated.PLAIN);
  }

  /**
   * A handshaker that accepts only the peer with {@code peerFingerprint} and keeps candidates nominated for
   * {@code stream}: its NOMINATE names the protocol version (a peer configured otherwise is refused before any
   * byte flows) and, with sessions, whether the path opens the session (the first attempt) or joins it.
   */
  Handshaker handshaker(String peerFingerprint, SecureLink.Nominated stream);
}
