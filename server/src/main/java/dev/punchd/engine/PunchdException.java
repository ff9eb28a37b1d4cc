package dev.punchd.engine;

/**
 * A request the engine refuses, with the kind of refusal; {@code api.StatusMapping} turns the kind into a
 * gRPC status. The message is for humans and names the offending value. Immutable.
 */
public final class PunchdException extends RuntimeException {

  /** Why a request was refused. */
  public enum Kind { NOT_FOUND, INVALID_ARGUMENT, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAVAILABLE }

  private final Kind kind;

  public PunchdException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  static PunchdException notFound(String connectionId) {
    return new PunchdException(Kind.NOT_FOUND, "no connection with id '" + connectionId + "'");
  }

  static PunchdException invalid(String message) {
    return new PunchdException(Kind.INVALID_ARGUMENT, message);
  }

  static PunchdException precondition(String message) {
    return new PunchdException(Kind.FAILED_PRECONDITION, message);
  }
}
