package dev.punchd.engine;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and formats the {@code "host:port"} strings of the API ({@code "[::1]:port"} for IPv6). Only IP
 * literals are accepted: a peer address never triggers a DNS lookup. Stateless.
 */
public final class HostPort {
  private static final Pattern BRACKETED = Pattern.compile("^\\[([0-9A-Fa-f:.%a-zA-Z]+)]:(\\d{1,5})$");
  private static final Pattern PLAIN = Pattern.compile("^([0-9.]+):(\\d{1,5})$");

  private HostPort() {}

  /** Parses an IP literal with a port in 1..65535; throws INVALID_ARGUMENT naming the value otherwise. */
  public static InetSocketAddress parse(String text) {
    return parse(text, 1);
  }

  /** Parses an address to listen on: as {@link #parse}, but port 0 (OS-chosen) is allowed. */
  public static InetSocketAddress parseListen(String text) {
    return parse(text, 0);
  }

  private static InetSocketAddress parse(String text, int minPort) {
    String value = text == null ? "" : text.trim();
    Matcher m = BRACKETED.matcher(value);
    if (!m.matches()) {
      m = PLAIN.matcher(value);
    }
    if (!m.matches()) {
      throw PunchdException.invalid(
          "malformed address '" + text + "': expected IPv4 'a.b.c.d:port' or IPv6 '[addr]:port'");
    }
    int port = Integer.parseInt(m.group(2));
    if (port < minPort || port > 65535) {
      throw PunchdException.invalid("malformed address '" + text + "': port must be " + minPort + "..65535");
    }
    String host = m.group(1);
    if (!host.contains(":") && !isDottedQuad(host)) {
      throw PunchdException.invalid("malformed address '" + text + "': '" + host + "' is not an IP address");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw PunchdException.invalid("malformed address '" + text + "': " + e.getMessage());
    }
  }

  /** Formats an address the way the API writes addresses. */
  public static String format(InetSocketAddress address) {
    return format(address.getAddress(), address.getPort());
  }

  /** Formats an IP and port the way the API writes addresses (IPv6 in brackets, without a scope id). */
  public static String format(InetAddress ip, int port) {
    String host = ip.getHostAddress();
    int scope = host.indexOf('%');
    if (scope >= 0) {
      host = host.substring(0, scope);
    }
    if (host.contains(":")) {
      return "[" + host + "]:" + port;
    }
    return host + ":" + port;
  }

  private static boolean isDottedQuad(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
