package dev.punchd.transport.tls;

import dev.punchd.transport.ProtocolVersionException;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a TLS handshake failed, as a {@link Kind} for machines and a message for humans. Messages
 * name fingerprints by their first 16 hex digits and alerts by their TLS name; they never carry key
 * material. Immutable and thread-safe.
 *
 * <p>A wrong fingerprint on one side is caught by the hello before TLS roles matter ({@link
 * FingerprintHello}); should TLS roles still clash, both sides are TLS clients ({@link Kind#PROTOCOL},
 * the message says so) or both wait as TLS servers ({@link Kind#TIMEOUT}).
 *
 * @param kind what went wrong
 * @param message a one-line explanation for users
 */
public record TlsFailure(Kind kind, String message) {
  /** The failure classes the engine distinguishes. */
  public enum Kind {
    /** We rejected the peer's certificate: its fingerprint is not the one we were given. */
    FINGERPRINT_MISMATCH,
    /** The peer rejected our certificate (it was given another fingerprint for us). */
    REJECTED_BY_PEER,
    /** The peer's hello matches neither fingerprint: a stranger, not evidence of a wrong fingerprint. */
    NOT_PEER,
    /** The peer closed, reset or cancelled the connection before the handshake completed. */
    PEER_CLOSED,
    /** The peer stayed silent longer than the handshake timeout. */
    TIMEOUT,
    /** Any other TLS alert, or bytes that are not TLS. */
    PROTOCOL
  }

  private static final Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: (\\w+)");
  /** BoringSSL's reason for an alert it received, e.g. SSLV3_ALERT_CERTIFICATE_UNKNOWN. */
  private static final Pattern BORINGSSL_ALERT = Pattern.compile("(?:SSLV3|TLSV1)_ALERT_([A-Z_]+)");
  private static final String BORINGSSL_NOT_TLS = "not an SSL/TLS record";
  private static final String BORINGSSL_OTHER_VERSION = "UNSUPPORTED_PROTOCOL";
  private static final Set<String> CERTIFICATE_ALERTS =
      Set.of(
          "bad_certificate",
          "unsupported_certificate",
          "certificate_revoked",
          "certificate_expired",
          "certificate_unknown",
          "unknown_ca");
  private static final String CLOSED_DURING_HANDSHAKE = "close_notify during handshake";
  private static final String ROLE_CONFLICT = "Unexpected handshake message: client_hello";

  public TlsFailure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** Explains an {@link IOException} thrown by {@link TlsHandshake#secure} or by the first read. */
  public static TlsFailure classify(IOException failure) {
    List<Throwable> chain = causes(Objects.requireNonNull(failure, "failure"));
    for (Throwable cause : chain) {
      if (cause instanceof FingerprintMismatchException mismatch) {
        return new TlsFailure(Kind.FINGERPRINT_MISMATCH, mismatch.getMessage());
      }
      if (cause instanceof FingerprintHello.Rejected rejected) {
        return new TlsFailure(Kind.REJECTED_BY_PEER, rejected.getMessage());
      }
      if (cause instanceof FingerprintHello.NotPeer notPeer) {
        return new TlsFailure(Kind.NOT_PEER, notPeer.getMessage());
      }
      if (cause instanceof ProtocolVersionException version) {
        return new TlsFailure(Kind.PROTOCOL, version.getMessage()); // after TLS: not a TLS failure
      }
    }
    return chain.stream()
        .map(TlsFailure::classifyCause)
        .flatMap(Optional::stream)
        .findFirst()
        .orElseGet(
            () -> new TlsFailure(Kind.PROTOCOL, "TLS handshake failed: " + failure.getMessage()));
  }

  /**
   * A closed or reset TCP connection: a {@link SocketException} from a plain socket, or the plain
   * {@link IOException} with the system's error text ("Broken pipe", "Connection reset by peer") that a
   * {@code SocketChannel}'s socket throws instead (the sockets {@code SharedPort} makes).
   */
  private static boolean connectionBroken(Throwable cause) {
    return cause instanceof SocketException
        || (cause.getClass() == IOException.class && cause.getMessage() != null
            && (cause.getMessage().equals("Broken pipe") || cause.getMessage().equals("Connection reset by peer")));
  }

  private static Optional<TlsFailure> classifyCause(Throwable cause) {
    String text = String.valueOf(cause.getMessage());
    Matcher alert = RECEIVED_ALERT.matcher(text);
    if (alert.find()) {
      return Optional.of(fromAlert(alert.group(1)));
    }
    Matcher boringAlert = BORINGSSL_ALERT.matcher(text);
    if (boringAlert.find()) {
      return Optional.of(fromAlert(boringAlert.group(1).toLowerCase(Locale.ROOT)));
    }
    if (text.contains(BORINGSSL_NOT_TLS)) {
      return Optional.of(new TlsFailure(Kind.PROTOCOL, "peer sent bytes that are not TLS (" + text + ")"));
    }
    if (text.contains(BORINGSSL_OTHER_VERSION)) {
      return Optional.of(new TlsFailure(Kind.PROTOCOL,
          "peer does not speak TLS 1.3, the only version punchd accepts (protocol_version)"));
    }
    if (cause instanceof SocketTimeoutException) {
      return Optional.of(
          new TlsFailure(
              Kind.TIMEOUT,
              "peer did not complete the TLS handshake in time (a silent peer, or both sides"
                  + " waiting as TLS server because one was given a wrong fingerprint)"));
    }
    if (cause instanceof EOFException
        || connectionBroken(cause)
        || text.contains(CLOSED_DURING_HANDSHAKE)) {
      return Optional.of(
          new TlsFailure(
              Kind.PEER_CLOSED,
              "peer closed the connection during the TLS handshake (" + text + ")"));
    }
    if (text.contains(ROLE_CONFLICT)) {
      return Optional.of(
          new TlsFailure(
              Kind.PROTOCOL,
              "peer also acted as TLS client: one side was given a wrong fingerprint"));
    }
    return Optional.empty();
  }

  private static TlsFailure fromAlert(String description) {
    if (CERTIFICATE_ALERTS.contains(description)) {
      return new TlsFailure(
          Kind.REJECTED_BY_PEER,
          "peer rejected our certificate (it expects a different fingerprint)");
    }
    return new TlsFailure(Kind.PROTOCOL, "peer sent TLS alert " + description);
  }

  private static List<Throwable> causes(Throwable failure) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable cause = failure; cause != null && !chain.contains(cause); ) {
      chain.add(cause);
      cause = cause.getCause();
    }
    return chain;
  }
}
