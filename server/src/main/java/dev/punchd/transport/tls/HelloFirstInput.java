package dev.punchd.transport.tls;

import java.io.IOException;
import java.io.InputStream;

/**
 * What the TLS client reads its records from: the connected socket's input, except that the first read
 * consumes and checks the peer's punchd hello, which arrives in front of the peer's TLS records. So the
 * client sends its ClientHello right behind its own hello instead of waiting half a round trip for the
 * peer's (docs/wire-protocol.md, "Where the round trips go"). A failed check fails that read, and with it
 * the TLS handshake, with the hello's own exception as the cause ({@link TlsFailure#classify} finds it);
 * every later read fails the same way.
 *
 * <p>Reads come from one thread at a time (the {@link TlsSocket}'s reader).
 */
final class HelloFirstInput extends InputStream {
  /** Reads and checks the peer's hello from the connected socket. */
  interface HelloCheck {
    void run() throws IOException;
  }

  private final InputStream raw;
  private final HelloCheck check;
  private boolean checked; // read by the reading thread only
  private IOException failure; // the failed check, rethrown by every later read

  HelloFirstInput(InputStream raw, HelloCheck check) {
    this.raw = raw;
    this.check = check;
  }

  private void checkOnce() throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (!checked) {
      try {
        check.run();
      } catch (IOException e) {
        failure = e;
        throw e;
      }
      checked = true;
    }
  }

  @Override
  public int read() throws IOException {
    checkOnce();
    return raw.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    checkOnce();
    return raw.read(b, off, len);
  }

  @Override
  public int available() throws IOException {
    return checked ? raw.available() : 0;
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
