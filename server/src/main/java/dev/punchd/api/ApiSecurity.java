package dev.punchd.api;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the API is protected, and the rule that keeps an unprotected API on this host: plaintext is served
 * on loopback or a Unix socket only. Any other address needs {@link #tls TLS} or the explicit
 * {@link #insecure()} opt-out, which is logged as a warning. Immutable.
 */
public final class ApiSecurity {
  private static final Logger log = LoggerFactory.getLogger(ApiSecurity.class);

  private final ApiTls tls; // null: plaintext
  private final boolean insecureAllowed;

  private ApiSecurity(ApiTls tls, boolean insecureAllowed) {
    this.tls = tls;
    this.insecureAllowed = insecureAllowed;
  }

  /** Plaintext, allowed on loopback and Unix sockets only (the default). */
  public static ApiSecurity localOnly() {
    return new ApiSecurity(null, false);
  }

  /** Plaintext on any address ({@code --insecure-api}): anyone who reaches the port drives the sidecar. */
  public static ApiSecurity insecure() {
    return new ApiSecurity(null, true);
  }

  /** TLS (mutual when {@code tls} names a client CA), on any address. */
  public static ApiSecurity tls(ApiTls tls) {
    return new ApiSecurity(Objects.requireNonNull(tls, "tls"), false);
  }

  /**
   * The TLS context to serve {@code endpoint} with, empty for plaintext.
   *
   * @throws IllegalArgumentException naming the endpoint when it is not local and neither TLS nor the
   *     insecure opt-out is configured
   * @throws IOException naming the file when the TLS files cannot be used
   */
  Optional<SslContext> serverContextFor(ApiEndpoint endpoint) throws IOException {
    if (tls != null) {
      SslContext context = tls.serverContext();
      log.info("the API on {} requires TLS{}", endpoint,
          tls.requiresClientCertificates() ? " and client certificates signed by " + tls.clientCa() : "");
      return Optional.of(context);
    }
    if (!endpoint.isLocalOnly()) {
      if (!insecureAllowed) {
        throw new IllegalArgumentException("refusing to serve the API on " + endpoint + " without TLS: it is not a"
            + " loopback address, so other hosts could drive this sidecar and read its connections' data. Either"
            + " give --api-tls-cert FILE and --api-tls-key FILE (and --api-tls-client-ca FILE to require client"
            + " certificates), or pass --insecure-api to serve it unprotected anyway");
      }
      log.warn("the API on {} is served WITHOUT TLS or authentication (--insecure-api): anyone who can reach it"
          + " can open connections through this sidecar and read their data", endpoint);
    }
    return Optional.empty();
  }
}
