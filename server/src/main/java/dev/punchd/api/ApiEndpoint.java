package dev.punchd.api;

import dev.punchd.engine.HostPort;
import dev.punchd.engine.PunchdException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Where the API listens: a TCP address ({@code 127.0.0.1:50051}) or a Unix domain socket
 * ({@code unix:/run/punchd/punchd.sock}). Immutable.
 */
public record ApiEndpoint(InetSocketAddress tcp, Path unixSocket) {

  /** Parses {@code host:port}, {@code [v6]:port} or {@code unix:/path}. */
  public static ApiEndpoint parse(String text) {
    String value = text.trim();
    if (value.startsWith("unix:")) {
      String path = value.substring(5);
      if (path.isEmpty()) {
        throw new IllegalArgumentException("API address '" + text + "' names no socket path");
      }
      return new ApiEndpoint(null, Path.of(path));
    }
    try {
      return new ApiEndpoint(HostPort.parseListen(value), null);
    } catch (PunchdException e) {
      throw new IllegalArgumentException("API address '" + text
          + "' is neither 'IP:port' nor 'unix:/path' (" + e.getMessage() + ")");
    }
  }

  public boolean isUnix() {
    return unixSocket != null;
  }

  /** True for a Unix socket or a loopback TCP address: only this host can reach the API. */
  public boolean isLocalOnly() {
    return isUnix() || tcp.getAddress().isLoopbackAddress();
  }

  @Override
  public String toString() {
    return isUnix() ? "unix:" + unixSocket : HostPort.format(tcp);
  }
}
