package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.engine.PeerAddressPolicy.Range;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PeerAddressPolicyTest {
  /** This host, as the policy under test sees it. */
  private static final List<InetAddress> OWN = List.of(ip("192.0.2.2"), ip("fd00::2"));

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1:5000, this-host", "127.8.9.10:80, this-host", "[::1]:22, this-host", "0.0.0.0:5432, this-host",
      "[::]:5432, this-host", "192.0.2.2:6379, this-host", "[fd00::2]:80, this-host",
      "[::ffff:127.0.0.1]:80, this-host",
      "169.254.1.2:80, link-local", "[fe80::1]:80, link-local", "[fe80::1%1]:80, link-local",
      "169.254.169.254:80, metadata", "169.254.170.2:80, metadata", "[fd00:ec2::254]:80, metadata",
      "100.100.100.200:80, metadata"})
  void refusesAddressesThatPointAtThisHostOrItsSurroundingsNamingThem(String address, String range) {
    PeerAddressPolicy policy = new PeerAddressPolicy(Set.of(), () -> OWN);

    assertThatThrownBy(() -> policy.check(address, HostPort.parse(address)))
        .isInstanceOfSatisfying(PunchdException.class, e -> {
          assertThat(e.kind()).isEqualTo(PunchdException.Kind.INVALID_ARGUMENT);
          assertThat(e.getMessage()).contains("'" + address + "'")
              .contains("--allow-peer-addresses " + range);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"203.0.113.7:4000", "192.0.2.3:4000", "10.0.0.1:80", "[2001:db8::5]:443", "[fd00::3]:1"})
  void letsOtherHostsThrough(String address) {
    PeerAddressPolicy policy = new PeerAddressPolicy(Set.of(), () -> OWN);

    assertThatCode(() -> check(policy, address)).doesNotThrowAnyException();
  }

  @Test
  void anAllowedRangeIsDialledAndOnlyThatRange() {
    PeerAddressPolicy policy = new PeerAddressPolicy(EnumSet.of(Range.THIS_HOST, Range.LINK_LOCAL), () -> OWN);

    assertThatCode(() -> check(policy, "127.0.0.1:5000")).doesNotThrowAnyException();
    assertThatCode(() -> check(policy, "192.0.2.2:5000")).doesNotThrowAnyException();
    assertThatCode(() -> check(policy, "169.254.3.4:5000")).doesNotThrowAnyException();
    assertThatThrownBy(() -> check(policy, "169.254.169.254:80")).hasMessageContaining("metadata");
  }

  @Test
  void parsesTheFlagAndNamesAnUnknownRange() {
    assertThat(Range.parseList(" this-host, METADATA ,")).containsExactlyInAnyOrder(Range.THIS_HOST, Range.METADATA);
    assertThat(Range.parseList("")).isEmpty();
    assertThatThrownBy(() -> Range.parseList("this-host,lan"))
        .hasMessageContaining("'lan'").hasMessageContaining("this-host, link-local, metadata");
  }

  @Test
  void theHostsOwnAddressesAreReadAtEachCheck() {
    List<InetAddress> own = new java.util.ArrayList<>();
    PeerAddressPolicy policy = new PeerAddressPolicy(Set.of(), () -> own);
    assertThatCode(() -> check(policy, "198.51.100.9:80")).doesNotThrowAnyException();

    own.add(ip("198.51.100.9"));

    assertThatThrownBy(() -> check(policy, "198.51.100.9:80")).hasMessageContaining("this-host");
  }

  private static void check(PeerAddressPolicy policy, String address) {
    policy.check(address, HostPort.parse(address));
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
