package dev.punchd.examples;

import dev.punchd.v1.GetAddressesResponse;
import java.util.List;
import java.util.stream.Stream;

/**
 * What one chat tells the other: its addresses (local, then public) and fingerprint, exchanged as the
 * line {@code ADDRESSES a,b FINGERPRINT fp} ({@code -} for a RAW connection, which has no fingerprint).
 * The format is shared with the Go, Python and Node examples. Immutable.
 *
 * @param fingerprint empty when there is none
 */
record PeerLine(List<String> addresses, String fingerprint) {
  private static final String NO_FINGERPRINT = "-";

  PeerLine {
    addresses = List.copyOf(addresses);
  }

  static PeerLine of(GetAddressesResponse own) {
    return new PeerLine(Stream.concat(own.getLocalAddressesList().stream(), own.getPublicAddressesList().stream())
        .toList(), own.getFingerprint());
  }

  /** Parses the peer's line; the exception quotes it when it is not in the format. */
  static PeerLine parse(String line) throws ChatException {
    String[] fields = line.strip().split("\\s+");
    if (fields.length != 4 || !fields[0].equals("ADDRESSES") || !fields[2].equals("FINGERPRINT")) {
      throw new ChatException("expected the peer's line 'ADDRESSES a,b FINGERPRINT fp', got '" + line.strip() + "'");
    }
    return new PeerLine(List.of(fields[1].split(",")), fields[3].equals(NO_FINGERPRINT) ? "" : fields[3]);
  }

  String format() {
    return "ADDRESSES " + String.join(",", addresses) + " FINGERPRINT "
        + (fingerprint.isEmpty() ? NO_FINGERPRINT : fingerprint);
  }
}
