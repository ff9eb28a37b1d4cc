package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.v1.AddressError;
import dev.punchd.v1.FailureReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptLogTest {
  private static final String PEER = "127.0.0.1:4000";

  @Test
  void aHandshakeCutShortByTheDeadlineDoesNotHideWhatTheAddressSaidBefore() {
    AttemptLog log = new AttemptLog(List.of(PEER));
    log.handshakeFailed(PEER, FailureReason.HANDSHAKE_FAILED, "peer closed the connection during the TLS handshake",
        false);
    log.handshakeFailed(PEER, FailureReason.HANDSHAKE_FAILED, "handshake not complete within 3 ms", true);

    assertThat(log.addressErrors()).extracting(AddressError::getError)
        .containsExactly("peer closed the connection during the TLS handshake");
  }

  @Test
  void aLaterDefiniteFailureReplacesAnEarlierOne() {
    AttemptLog log = new AttemptLog(List.of(PEER));
    log.handshakeFailed(PEER, FailureReason.HANDSHAKE_FAILED, "handshake not complete within 900 ms", true);
    log.handshakeFailed(PEER, FailureReason.HANDSHAKE_FAILED, "peer sent TLS alert handshake_failure", false);
    log.handshakeFailed(PEER, FailureReason.HANDSHAKE_FAILED, "peer closed the connection during the TLS handshake",
        false);

    assertThat(log.addressErrors()).extracting(AddressError::getError)
        .containsExactly("peer closed the connection during the TLS handshake");
  }
}
