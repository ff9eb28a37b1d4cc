package dev.punchd.transport.tls;

/** Two fresh identities, named by which one takes the TLS client role (the lower fingerprint). */
record IdentityPair(Identity lower, Identity higher) {
  static IdentityPair generate() {
    Identity first = Identity.generate();
    Identity second = Identity.generate();
    return first.fingerprint().compareTo(second.fingerprint()) < 0
        ? new IdentityPair(first, second)
        : new IdentityPair(second, first);
  }
}
