package dev.punchd.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * Parses {@code stun://host:port} and {@code turn://user:password@host:port} (user and password may be
 * percent-encoded). Errors name the bad value with any password replaced by {@code ***}, so a mistyped
 * secret never reaches a terminal or a log. Stateless.
 */
public final class ServerUris {
  private ServerUris() {}

  /** @throws IllegalArgumentException naming the value when it is not {@code stun://host:port} */
  public static InetSocketAddress stun(String text) {
    URI uri = uri(text, "stun", "stun://host:port");
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("STUN server '" + masked(text) + "': a STUN server takes no user");
    }
    return address(uri, text, "STUN server");
  }

  /** @throws IllegalArgumentException naming the value (password masked) when it is not a complete TURN URI */
  public static TurnServer turn(String text) {
    URI uri = uri(text, "turn", "turn://user:password@host:port");
    String info = uri.getRawUserInfo();
    int colon = info == null ? -1 : info.indexOf(':');
    if (colon <= 0 || colon == info.length() - 1) {
      throw new IllegalArgumentException("TURN server '" + masked(text)
          + "': needs a user and a password, as turn://user:password@host:port");
    }
    String user = URLDecoder.decode(info.substring(0, colon), StandardCharsets.UTF_8);
    String password = URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
    return new TurnServer(address(uri, text, "TURN server"), user, password);
  }

  private static URI uri(String text, String scheme, String form) {
    String value = text == null ? "" : text.trim();
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(scheme.toUpperCase() + " server '" + masked(value) + "' is not a URI: expected "
          + form);
    }
    if (!scheme.equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException(scheme.toUpperCase() + " server '" + masked(value) + "': expected " + form);
    }
    String path = uri.getRawPath();
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || (path != null && !path.isEmpty())) {
      throw new IllegalArgumentException(scheme.toUpperCase() + " server '" + masked(value)
          + "': nothing may follow host:port (expected " + form + ")");
    }
    return uri;
  }

  private static InetSocketAddress address(URI uri, String text, String what) {
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(what + " '" + masked(text) + "' has no host");
    }
    if (uri.getPort() < 1 || uri.getPort() > 65535) {
      throw new IllegalArgumentException(what + " '" + masked(text) + "' needs a port in 1..65535");
    }
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
        : uri.getHost();
    try {
      return new InetSocketAddress(InetAddress.getByName(host), uri.getPort());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(what + " '" + masked(text) + "': cannot resolve host '" + host + "'");
    }
  }

  /** {@code text} with whatever follows the first ':' of its user info replaced by {@code ***}. */
  static String masked(String text) {
    if (text == null) {
      return "";
    }
    int scheme = text.indexOf("://");
    int at = text.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return text;
    }
    int colon = text.indexOf(':', scheme + 3);
    return colon < 0 || colon > at ? text : text.substring(0, colon + 1) + "***" + text.substring(at);
  }
}
