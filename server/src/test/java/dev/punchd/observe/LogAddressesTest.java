package dev.punchd.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogAddressesTest {

  @AfterEach
  void backToTheDefault() {
    LogAddresses.redact(false);
  }

  @Test
  void addressesAreLoggedAsTheApiWritesThemByDefault() throws Exception {
    assertThat(LogAddresses.of(address("203.0.113.7", 40001))).isEqualTo("203.0.113.7:40001");
    assertThat(LogAddresses.of(address("2001:db8:1:2::5", 40001))).isEqualTo("[2001:db8:1:2:0:0:0:5]:40001");
  }

  @Test
  void redactionMasksTheHostButKeepsThePort() throws Exception {
    LogAddresses.redact(true);
    assertThat(LogAddresses.of(address("203.0.113.7", 40001))).isEqualTo("203.0.113.x:40001");
    assertThat(LogAddresses.of(address("2001:db8:1:2::5", 40001))).isEqualTo("[2001:db8:1::x]:40001");
    assertThat(LogAddresses.of(address("::1", 5))).isEqualTo("[0:0:0::x]:5");
  }

  private static InetSocketAddress address(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }
}
