package dev.punchd.observe;

import java.io.IOException;
import java.net.BindException;

/**
 * Says in plain words why a listener could not be opened. Netty reports a port in use as "Failed to bind
 * to address /127.0.0.1:50051", with the reason only in a cause; the JDK as a {@link BindException}.
 * Stateless.
 */
public final class ListenFailure {
  private static final String IN_USE = "Address already in use";

  private ListenFailure() {}

  /** "address already in use" when that is the cause, whatever layer said it; otherwise the message. */
  public static String reason(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.contains(IN_USE)) {
        return "address already in use";
      }
    }
    return e.getMessage();
  }
}
