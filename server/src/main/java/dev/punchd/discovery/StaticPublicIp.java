package dev.punchd.discovery;

import java.net.InetAddress;

/** A public IP fixed by configuration. Immutable. */
final class StaticPublicIp implements PublicIpProvider {
  private final InetAddress ip;

  StaticPublicIp(InetAddress ip) {
    this.ip = ip;
  }

  @Override
  public InetAddress discover() {
    return ip;
  }

  @Override
  public String describe() {
    return "static:" + ip.getHostAddress();
  }
}
