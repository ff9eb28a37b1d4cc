package dev.punchd.examples;

import picocli.CommandLine;

/**
 * Where the sidecar's API listens: {@code host:port} ({@code [v6]:port} for IPv6) or {@code unix:/path}.
 * Immutable.
 *
 * @param host TCP host, null for a Unix socket
 * @param port TCP port, 0 for a Unix socket
 * @param socketPath Unix socket path, null for TCP
 */
record ApiAddress(String host, int port, String socketPath) {

  /** Parses an {@code --api} value; the exception message names the bad value. */
  static ApiAddress parse(String text) {
    if (text.startsWith("unix:")) {
      String path = text.substring("unix:".length());
      if (path.isEmpty()) {
        throw new IllegalArgumentException("API address '" + text + "' names no socket path");
      }
      return new ApiAddress(null, 0, path);
    }
    int colon = text.lastIndexOf(':');
    String host = colon < 0 ? "" : text.substring(0, colon).replaceAll("^\\[(.*)]$", "$1");
    int port = colon < 0 ? -1 : parsePort(text.substring(colon + 1));
    if (host.isEmpty() || port < 1 || port > 65535) {
      throw new IllegalArgumentException("API address '" + text + "' is neither 'host:port' nor 'unix:/path'");
    }
    return new ApiAddress(host, port, null);
  }

  boolean isUnix() {
    return socketPath != null;
  }

  @Override
  public String toString() {
    if (isUnix()) {
      return "unix:" + socketPath;
    }
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static int parsePort(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Lets picocli parse {@code --api}. */
  static final class Converter implements CommandLine.ITypeConverter<ApiAddress> {
    @Override
    public ApiAddress convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
