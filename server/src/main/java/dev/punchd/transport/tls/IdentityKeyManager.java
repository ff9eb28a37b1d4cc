package dev.punchd.transport.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Offers one {@link Identity} to TLS, as client and as server, for the key types it can sign with. Replaces a
 * PKCS12 key store plus {@code KeyManagerFactory}, which encrypted and decrypted the key with PBKDF2 on every
 * connection's allocation (about 6 ms of CPU each) only to hand the same key back. Immutable and thread-safe.
 */
final class IdentityKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "punchd";

  private final Identity identity;

  IdentityKeyManager(Identity identity) {
    this.identity = Objects.requireNonNull(identity, "identity");
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return keyTypes == null ? null : Arrays.stream(keyTypes).map(this::aliasFor).filter(Objects::nonNull)
        .findFirst().orElse(null);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return chooseClientAlias(keyTypes, issuers, (Socket) null);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliases(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? new X509Certificate[] {identity.certificate()} : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? identity.privateKey() : null;
  }

  /** Our alias when {@code keyType} (TLS 1.3 names the signature's key algorithm, e.g. "EC") is our key's. */
  private String aliasFor(String keyType) {
    return identity.privateKey().getAlgorithm().equalsIgnoreCase(keyType) ? ALIAS : null;
  }

  private String[] aliases(String keyType) {
    return aliasFor(keyType) == null ? null : new String[] {ALIAS};
  }
}
