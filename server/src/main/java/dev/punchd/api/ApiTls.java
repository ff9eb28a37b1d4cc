package dev.punchd.api;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the API from PEM files: the server's certificate chain and private key (PKCS#8), and optionally
 * a CA whose signature every client certificate must carry (mutual TLS). Immutable.
 *
 * @param certificateChain PEM certificate chain, the server's certificate first
 * @param privateKey PEM private key of that certificate
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
    requireReadable(certificateChain, "certificate chain");
    requireReadable(privateKey, "private key");
    SslContextBuilder builder;
    try {
      builder = GrpcSslContexts.configure(
          SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile()));
    } catch (IllegalArgumentException e) {
      throw new IOException("API TLS certificate chain " + certificateChain + " or private key " + privateKey
          + " is not usable PEM: " + rootMessage(e), e);
    }
    if (clientCa != null) {
      requireReadable(clientCa, "client CA");
      try {
        builder.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
      } catch (IllegalArgumentException e) {
        throw new IOException("API TLS client CA " + clientCa + " is not usable PEM: " + rootMessage(e), e);
      }
    }
    try {
      return builder.build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("cannot set up API TLS from " + this + ": " + rootMessage(e), e);
    }
  }

  private static void requireReadable(Path file, String what) throws IOException {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IOException("API TLS " + what + " " + file + " is not a readable file");
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
  }

  @Override
  public String toString() {
    return "certificate chain " + certificateChain + ", private key " + privateKey
        + (clientCa == null ? "" : ", client CA " + clientCa);
  }
}
