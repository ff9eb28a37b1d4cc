package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * {@code host:port} text as a peer sends it: parsing either yields an address that formats and parses back
 * to itself, or refuses with INVALID_ARGUMENT naming the text; the address policy only ever refuses with
 * INVALID_ARGUMENT. Any other exception is a finding.
 */
class HostPortFuzzTest {
  private static final PeerAddressPolicy POLICY = new PeerAddressPolicy(Set.of(), LocalAddresses::all);

  @FuzzTest(maxDuration = "20s")
  void parse(FuzzedDataProvider data) {
    boolean listen = data.consumeBoolean();
    String text = data.consumeRemainingAsString();
    InetSocketAddress address;
    try {
      address = listen ? HostPort.parseListen(text) : HostPort.parse(text);
    } catch (PunchdException e) {
      assertThat(e.kind()).isEqualTo(PunchdException.Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("'" + text + "'");
      return;
    }
    String formatted = HostPort.format(address);
    assertThat(listen ? HostPort.parseListen(formatted) : HostPort.parse(formatted)).isEqualTo(address);
    try {
      POLICY.check(text, address);
    } catch (PunchdException e) {
      assertThat(e.kind()).isEqualTo(PunchdException.Kind.INVALID_ARGUMENT);
      assertThat(e.getMessage()).contains("'" + text + "'");
    }
  }
}
