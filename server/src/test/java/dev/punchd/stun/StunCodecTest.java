package dev.punchd.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The codec against the test vectors of RFC 5769 and against itself. */
class StunCodecTest {
  private static final byte[] SHORT_TERM_PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
  /** RFC 5769 section 2.1: a Binding request, short-term credentials, FINGERPRINT. */
  private static final String SAMPLE_REQUEST = "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e20746573742063"
      + "6c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781e"
      + "f2b5b2d3f249c1b571a280280004e57a3bcf";
  /** RFC 5769 section 2.2: a Binding success response with an IPv4 XOR-MAPPED-ADDRESS. */
  private static final String IPV4_RESPONSE = "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
      + "002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96";
  /** RFC 5769 section 2.3: the same with an IPv6 XOR-MAPPED-ADDRESS. */
  private static final String IPV6_RESPONSE = "010100482112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220"
      + "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d900080014a382954e4be67bf11784c97c8292c275bfe3ed4180280004c8fb0b4c";
  /** RFC 5769 section 2.4: a request with long-term credentials (user and password need SASLprep). */
  private static final String LONG_TERM_REQUEST = "000100602112a44278ad3433c6ad72c029da412e00060012e3839ee38388e383aae38383"
      + "e382afe382b900000015001c662f2f3439396b39353464364f4c33346f4c394653547679363473410014000b6578616d706c652e6f7267"
      + "0000080014f67024656dd64a3e02b8e0712e85c9a28ca89666";

  private static byte[] hex(String text) {
    return HexFormat.of().parseHex(text);
  }

  @Test
  void decodesTheSampleRequestAndChecksItsIntegrityAndFingerprint() throws Exception {
    byte[] wire = hex(SAMPLE_REQUEST);
    StunMessage message = StunCodec.decode(wire);
    assertThat(message.method()).isEqualTo(StunMethod.BINDING);
    assertThat(message.type()).isEqualTo(StunClass.REQUEST);
    assertThat(message.text(StunAttributes.USERNAME)).contains("evtj:h6vY");
    assertThat(message.text(StunAttributes.SOFTWARE)).contains("STUN test client");
    assertThat(StunCodec.integrityMatches(wire, SHORT_TERM_PASSWORD)).isTrue();
    assertThat(StunCodec.integrityMatches(wire, "wrong".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(StunCodec.fingerprintMatches(wire)).isTrue();
    wire[30] ^= 1; // inside SOFTWARE
    assertThat(StunCodec.integrityMatches(wire, SHORT_TERM_PASSWORD)).isFalse();
    assertThat(StunCodec.fingerprintMatches(wire)).isFalse();
  }

  static Stream<Arguments> sampleResponses() {
    return Stream.of(Arguments.of(IPV4_RESPONSE, "192.0.2.1"),
        Arguments.of(IPV6_RESPONSE, "2001:db8:1234:5678:11:2233:4455:6677"));
  }

  @ParameterizedTest
  @MethodSource("sampleResponses")
  void decodesTheXorMappedAddressOfTheSampleResponses(String vector, String ip) throws Exception {
    byte[] wire = hex(vector);
    StunMessage response = StunCodec.decode(wire);
    assertThat(response.type()).isEqualTo(StunClass.SUCCESS);
    assertThat(response.address(StunAttributes.XOR_MAPPED_ADDRESS))
        .contains(new InetSocketAddress(InetAddress.getByName(ip), 32853));
    assertThat(StunCodec.integrityMatches(wire, SHORT_TERM_PASSWORD)).isTrue();
    assertThat(StunCodec.fingerprintMatches(wire)).isTrue();
  }

  @Test
  void longTermKeyOfTheSampleMatchesItsIntegrity() throws Exception {
    byte[] wire = hex(LONG_TERM_REQUEST);
    StunMessage message = StunCodec.decode(wire);
    assertThat(message.text(StunAttributes.REALM)).contains("example.org");
    assertThat(message.text(StunAttributes.NONCE)).contains("f//499k954d6OL34oL9FSTvy64sA");
    String username = message.text(StunAttributes.USERNAME).orElseThrow();
    assertThat(username).isEqualTo("\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9");
    byte[] key = LongTermKey.of(username, "example.org", "The\u00ADM\u00AAtr\u2168");
    assertThat(LongTermKey.prepare("The\u00ADM\u00AAtr\u2168")).isEqualTo("TheMatrIX");
    assertThat(StunCodec.integrityMatches(wire, key)).isTrue();
  }

  @Test
  void reEncodingTheSampleResponseGivesTheSameBytes() throws Exception {
    byte[] wire = hex(IPV4_RESPONSE);
    StunMessage decoded = StunCodec.decode(wire);
    StunMessage.Builder again = StunMessage.response(decoded, StunClass.SUCCESS);
    again.add(StunAttributes.SOFTWARE, decoded.attribute(StunAttributes.SOFTWARE).orElseThrow())
        .addAddress(StunAttributes.XOR_MAPPED_ADDRESS, decoded.address(StunAttributes.XOR_MAPPED_ADDRESS).orElseThrow());
    byte[] encoded = StunCodec.encode(again.build(), SHORT_TERM_PASSWORD, true);
    // The vector pads SOFTWARE with a space where the codec pads with zero (so its MESSAGE-INTEGRITY differs
    // too): header, SOFTWARE and XOR-MAPPED-ADDRESS must be the same bytes but for that one.
    wire[35] = 0;
    assertThat(encoded).hasSize(wire.length);
    assertThat(HexFormat.of().formatHex(encoded, 0, 48)).isEqualTo(HexFormat.of().formatHex(wire, 0, 48));
    assertThat(StunCodec.integrityMatches(encoded, SHORT_TERM_PASSWORD)).isTrue();
    assertThat(StunCodec.fingerprintMatches(encoded)).isTrue();
  }

  @Test
  void roundTripsTheRelayMethodsAndAttributes() throws Exception {
    InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName("203.0.113.7"), 40001);
    StunMessage connect = StunMessage.request(StunMethod.CONNECT)
        .addAddress(StunAttributes.XOR_PEER_ADDRESS, peer)
        .addU32(StunAttributes.CONNECTION_ID, 0xFEDCBA98L)
        .addU32(StunAttributes.REQUESTED_TRANSPORT, (long) StunAttributes.TRANSPORT_TCP << 24)
        .addError(new StunError(StunError.STALE_NONCE, "Stale Nonce"))
        .build();
    byte[] wire = StunCodec.encode(connect, null, false);
    // Connect request is type 0x000A; the XOR'd port differs from the plain one.
    assertThat(HexFormat.of().formatHex(wire, 0, 2)).isEqualTo("000a");
    StunMessage decoded = StunCodec.decode(wire);
    assertThat(decoded.method()).isEqualTo(StunMethod.CONNECT);
    assertThat(decoded.transactionId()).isEqualTo(connect.transactionId());
    assertThat(decoded.address(StunAttributes.XOR_PEER_ADDRESS)).contains(peer);
    assertThat(decoded.u32(StunAttributes.CONNECTION_ID)).hasValue(0xFEDCBA98L);
    assertThat(decoded.attribute(StunAttributes.REQUESTED_TRANSPORT)).hasValueSatisfying(
        v -> assertThat(v).containsExactly(6, 0, 0, 0));
    assertThat(decoded.error()).contains(new StunError(438, "Stale Nonce"));
    assertThat(decoded.answers(connect)).isFalse();

    StunMessage attempt = new StunMessage(StunMethod.CONNECTION_ATTEMPT, StunClass.INDICATION,
        connect.transactionId(), connect.attributes());
    assertThat(HexFormat.of().formatHex(StunCodec.encode(attempt, null, false), 0, 2)).isEqualTo("001c");
    StunMessage bindError = StunMessage.response(StunMessage.request(StunMethod.CONNECTION_BIND).build(),
        StunClass.ERROR).build();
    assertThat(HexFormat.of().formatHex(StunCodec.encode(bindError, null, false), 0, 2)).isEqualTo("011b");
  }

  @Test
  void refusesWhatIsNotAStunMessage() {
    assertThatThrownBy(() -> StunCodec.decode(hex("0001")))
        .isInstanceOf(StunFormatException.class).hasMessageContaining("2 bytes");
    assertThatThrownBy(() -> StunCodec.decode(hex("474554202f20485454502f312e310d0a0d0a0d0a")))
        .isInstanceOf(StunFormatException.class).hasMessageContaining("not a STUN message");
    byte[] overrun = hex("000100082112a442b7e7a701bc34d686fa87dfae00060010" + "41424344");
    assertThatThrownBy(() -> StunCodec.decode(overrun))
        .isInstanceOf(StunFormatException.class).hasMessageContaining("overruns");
    byte[] unknownMethod = hex("0fff00002112a442b7e7a701bc34d686fa87dfae");
    assertThatThrownBy(() -> StunCodec.decode(unknownMethod))
        .isInstanceOf(StunFormatException.class).hasMessageContaining("not one punchd speaks");
  }
}
