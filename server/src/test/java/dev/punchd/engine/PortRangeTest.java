package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.punchd.transport.SharedPort;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortRangeTest {

  @Test
  void parsesRangesSinglePortsAndAny() {
    assertThat(PortRange.parse("40000-40999")).isEqualTo(new PortRange(40000, 40999));
    assertThat(PortRange.parse("40000")).isEqualTo(new PortRange(40000, 40000));
    assertThat(PortRange.parse("any")).isEqualTo(PortRange.ANY);
    assertThat(PortRange.parse("0").isAny()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a-b", "5-3", "0-10", "1-70000", "1-2-3"})
  void refusesMalformedRangesNamingThem(String text) {
    assertThatThrownBy(() -> PortRange.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(text.isEmpty() ? "port range" : text);
  }

  @Test
  void sharedPortsStayInsideTheRangeAndAreNeverHandedOutTwice() throws Exception {
    PortRange range = new PortRange(47100, 47103);
    List<SharedPort> ports = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        ports.add(SharedPort.bind(range));
      }
      assertThat(ports).extracting(SharedPort::port).doesNotHaveDuplicates().allMatch(p -> p >= 47100 && p <= 47103);
      assertThatThrownBy(() -> SharedPort.bind(range)).hasMessageContaining("no free port in range 47100-47103");
      ports.removeFirst().close();
      ports.add(SharedPort.bind(range));
    } finally {
      ports.forEach(SharedPort::close);
    }
  }
}
