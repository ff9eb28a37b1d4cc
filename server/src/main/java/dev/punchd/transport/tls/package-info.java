/**
 * The TLS 1.3 layer of punchd's SECURE mode (DESIGN.md section 4): an {@link
 * dev.punchd.transport.tls.Identity} per connection (or a persistent one), {@link
 * dev.punchd.transport.tls.TlsHandshake} to secure a punched TCP socket with mutually pinned
 * fingerprints, and {@link dev.punchd.transport.tls.TlsFailure} to explain a failed handshake to
 * users. TLS runs on BoringSSL (grpc-netty-shaded's netty-tcnative) where it loads, else on the JDK's SunJSSE
 * ({@link dev.punchd.transport.tls.TlsEngines}); BouncyCastle only issues and stores certificates.
 */
package dev.punchd.transport.tls;
