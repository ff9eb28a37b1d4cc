package dev.punchd.api;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * TLS for the API from PEM files: the server's certificate chain and private key, and optionally a CA
 * whose signature every client certificate must carry (mutual TLS). Immutable.
 *
 * @param certificateChain PEM certificate chain, the server's certificate first
 * @param privateKey PEM private key of that certificate (PKCS#8, SEC1 or PKCS#1, unencrypted)
 * @param clientCa PEM CA certificates that sign client certificates; null: clients need no certificate
 */
public record ApiTls(Path certificateChain, Path privateKey, Path clientCa) {

  public ApiTls {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
  }

  public boolean requiresClientCertificates() {
    return clientCa != null;
  }

  /** Reads the files into a gRPC server context, naming the file that cannot be used. */
  SslContext serverContext() throws IOException {
    List<X509Certificate> chain = PemFiles.certificates(certificateChain, "certificate chain");
    PrivateKey key = PemFiles.privateKey(privateKey);
    PemFiles.requireKeyMatches(key, privateKey, chain.getFirst(), certificateChain);
    SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forServer(key, chain));
    if (clientCa != null) {
      builder.trustManager(PemFiles.certificates(clientCa, "client CA")).clientAuth(ClientAuth.REQUIRE);
    }
    try {
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("cannot set up API TLS from " + this + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "certificate chain " + certificateChain + ", private key " + privateKey
        + (clientCa == null ? "" : ", client CA " + clientCa);
  }
}
