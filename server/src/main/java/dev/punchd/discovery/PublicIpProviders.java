package dev.punchd.discovery;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

/** Builds a {@link PublicIpProvider} from its configuration string. Stateless. */
public final class PublicIpProviders {
  private static final Duration CACHE_TTL = Duration.ofMinutes(5);
  private static final Duration FAILURE_TTL = Duration.ofSeconds(30);
  /** The longest a GetAddresses call waits for discovery when no address is known yet. */
  static final Duration WAIT_BOUND = Duration.ofSeconds(1);
  private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(3);

  private PublicIpProviders() {}

  /**
   * Parses {@code http(s)://URL} (ipify-compatible; an address is cached for five minutes, a failure for
   * 30 s; lookups take at most 3 s and run in the background, a caller waits at most 1 s), {@code static:IP}
   * or {@code none}.
   *
   * @throws IllegalArgumentException naming the value when it is none of these
   */
  public static PublicIpProvider parse(String spec) {
    String value = spec == null ? "" : spec.trim();
    if (value.equalsIgnoreCase("none")) {
      return new NoPublicIp();
    }
    if (value.regionMatches(true, 0, "static:", 0, 7)) {
      String ip = value.substring(7);
      if (!ip.matches("[0-9.]+|[0-9A-Fa-f:]+")) {
        throw new IllegalArgumentException("public IP '" + ip + "' in '" + spec + "' is not an IP literal");
      }
      try {
        return new StaticPublicIp(InetAddress.getByName(ip));
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("public IP '" + ip + "' in '" + spec + "' is not an IP literal", e);
      }
    }
    if (value.startsWith("http://") || value.startsWith("https://")) {
      URI uri = URI.create(value);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("discovery URL '" + spec + "' has no host");
      }
      return new CachingPublicIp(new HttpPublicIp(uri, HTTP_TIMEOUT), CACHE_TTL, FAILURE_TTL, WAIT_BOUND,
          System::nanoTime);
    }
    throw new IllegalArgumentException(
        "unknown public IP provider '" + spec + "': expected http(s)://URL, static:IP or none");
  }
}
