package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @ParameterizedTest
  @CsvSource({"127.0.0.1:80, 127.0.0.1:80", "203.0.113.7:65535, 203.0.113.7:65535", "[::1]:1, [0:0:0:0:0:0:0:1]:1",
      "[2001:db8::5]:443, [2001:db8:0:0:0:0:0:5]:443", "' 10.0.0.1:5 ', 10.0.0.1:5"})
  void parsesAndFormatsIpLiterals(String text, String formatted) {
    InetSocketAddress address = HostPort.parse(text);
    assertThat(HostPort.format(address)).isEqualTo(formatted);
    assertThat(HostPort.parse(HostPort.format(address))).isEqualTo(address);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "host:80", "localhost:80", "1.2.3:80", "1.2.3.4.5:80", "256.0.0.1:80", "1.2.3.4:",
      "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:-1", "::1:80", "[::1]", "[zz::1]:80", "1.2.3.4:80:90",
      "[1.2.3.%1]:80", "[1.2.3.a]:80", "[a.b.c.d]:80"})
  void refusesAnythingElseNamingTheValue(String text) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOfSatisfying(PunchdException.class, e -> {
      assertThat(e.kind()).isEqualTo(PunchdException.Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("'" + text + "'");
    });
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:0", "0.0.0.0:8080", "[::]:0"})
  void listenAddressesMayUsePortZero(String text) {
    assertThat(HostPort.parseListen(text).getPort()).isBetween(0, 65535);
  }
}
