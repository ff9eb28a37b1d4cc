package dev.punchd.discovery;

import java.net.InetAddress;

/** Discovery switched off: connections advertise local addresses only. Stateless. */
final class NoPublicIp implements PublicIpProvider {
  @Override
  public InetAddress discover() throws DiscoveryException {
    throw new DiscoveryException("public IP discovery is off (--public-ip none)");
  }

  @Override
  public String describe() {
    return "none";
  }
}
