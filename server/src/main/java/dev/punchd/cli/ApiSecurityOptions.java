package dev.punchd.cli;

import dev.punchd.api.ApiSecurity;
import dev.punchd.api.ApiTls;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The command-line options that protect the API: TLS files, or the explicit opt-out that allows
 * plaintext on a non-loopback address. A picocli mixin of {@link ServeCommand}. Not thread-safe.
 */
final class ApiSecurityOptions {

  @Option(names = "--api-tls-cert", paramLabel = "FILE", defaultValue = "${env:PUNCHD_API_TLS_CERT}",
      description = "Serve the API over TLS with this PEM certificate chain (needs --api-tls-key); required to "
          + "serve the API on a non-loopback address unless --insecure-api [PUNCHD_API_TLS_CERT]")
  Path certificate;

  @Option(names = "--api-tls-key", paramLabel = "FILE", defaultValue = "${env:PUNCHD_API_TLS_KEY}",
      description = "Unencrypted PEM private key of --api-tls-cert (PKCS#8, EC or RSA) [PUNCHD_API_TLS_KEY]")
  Path key;

  @Option(names = "--api-tls-client-ca", paramLabel = "FILE", defaultValue = "${env:PUNCHD_API_TLS_CLIENT_CA}",
      description = "Mutual TLS: API clients must present a certificate signed by a CA in this PEM file "
          + "[PUNCHD_API_TLS_CLIENT_CA]")
  Path clientCa;

  @Option(names = "--insecure-api", defaultValue = "${env:PUNCHD_INSECURE_API:-false}", fallbackValue = "true",
      arity = "0..1",
      description = "Allow a plaintext, unauthenticated API on a non-loopback address (logged as a warning): "
          + "anyone who reaches it drives this sidecar [PUNCHD_INSECURE_API]")
  boolean insecure;

  /**
   * The API security these options describe.
   *
   * @throws IllegalArgumentException naming the options when they contradict each other or are incomplete
   */
  ApiSecurity toSecurity() {
    if (certificate == null && key == null) {
      if (clientCa != null) {
        throw new IllegalArgumentException("--api-tls-client-ca " + clientCa
            + " needs API TLS: give --api-tls-cert and --api-tls-key as well");
      }
      return insecure ? ApiSecurity.insecure() : ApiSecurity.localOnly();
    }
    if (certificate == null || key == null) {
      throw new IllegalArgumentException(certificate == null
          ? "--api-tls-key " + key + " needs --api-tls-cert (the certificate chain for that key)"
          : "--api-tls-cert " + certificate + " needs --api-tls-key (the certificate's private key)");
    }
    if (insecure) {
      throw new IllegalArgumentException("--insecure-api contradicts --api-tls-cert " + certificate
          + ": the API is served over TLS; drop one of them");
    }
    return ApiSecurity.tls(new ApiTls(certificate, key, clientCa));
  }
}
