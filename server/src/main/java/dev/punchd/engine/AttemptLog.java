package dev.punchd.engine;

import dev.punchd.v1.AddressError;
import dev.punchd.v1.FailureReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to each peer address during one attempt: dials made and the last error (a failed handshake
 * outranks dial errors), plus the most
 * telling handshake failure, from which the attempt's {@code Failed} reason is chosen. Thread-safe.
 */
final class AttemptLog {
  private final Map<String, Entry> entries = new LinkedHashMap<>(); // guarded by this
  private FailureReason worst = FailureReason.TIMEOUT; // guarded by this
  private String worstMessage = ""; // guarded by this

  private static final class Entry {
    int attempts;
    String lastError = "";
    String handshakeError = ""; // outranks lastError: a peer that answered but failed says more
    boolean handshakeTimedOut; // a timeout says less than the failure it would overwrite
  }

  AttemptLog(List<String> addresses) {
    for (String address : addresses) {
      entries.put(address, new Entry());
    }
  }

  synchronized void dialed(String address) {
    entries.computeIfAbsent(address, a -> new Entry()).attempts++;
  }

  synchronized void error(String address, String error) {
    entries.computeIfAbsent(address, a -> new Entry()).lastError = error;
  }

  /**
   * A peer answered but the handshake failed; a mismatch outranks other handshake failures, and a handshake
   * that only ran out of time (often the last one, cut short by the attempt's end) never hides what an
   * earlier one with the same address said.
   */
  synchronized void handshakeFailed(String address, FailureReason reason, String message, boolean timedOut) {
    Entry entry = entries.computeIfAbsent(address, a -> new Entry());
    if (!timedOut || entry.handshakeError.isEmpty() || entry.handshakeTimedOut) {
      entry.handshakeError = message;
      entry.handshakeTimedOut = timedOut;
    }
    if (rank(reason) > rank(worst)) {
      worst = reason;
      worstMessage = message;
    }
  }

  synchronized FailureReason reason() {
    return worst;
  }

  /** A one-line summary for {@code Failed.message}. */
  synchronized String summary(long timeoutMillis) {
    if (worst != FailureReason.TIMEOUT) {
      return worstMessage + " (no authenticated connection within " + timeoutMillis + " ms)";
    }
    return "no peer address answered within " + timeoutMillis + " ms";
  }

  synchronized List<AddressError> addressErrors() {
    List<AddressError> errors = new ArrayList<>();
    entries.forEach((address, entry) -> errors.add(AddressError.newBuilder()
        .setAddress(address).setAttempts(entry.attempts)
        .setError(entry.handshakeError.isEmpty() ? entry.lastError : entry.handshakeError).build()));
    return errors;
  }

  private static int rank(FailureReason reason) {
    return switch (reason) {
      case FINGERPRINT_MISMATCH -> 3;
      case HANDSHAKE_FAILED -> 2;
      case LOCAL_ERROR -> 1;
      default -> 0;
    };
  }
}
