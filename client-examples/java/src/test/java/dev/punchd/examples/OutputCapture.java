package dev.punchd.examples;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Collects what a chat writes to one of its standard streams and lets a test wait for a line. Thread-safe. */
final class OutputCapture extends OutputStream {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(); // guarded by this

  @Override
  public synchronized void write(int b) {
    bytes.write(b);
    notifyAll();
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    bytes.write(b, off, len);
    notifyAll();
  }

  synchronized String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The lines written so far, without their newlines. */
  List<String> lines() {
    return text().lines().toList();
  }

  /** Waits for a complete (newline-terminated) line matching {@code regex} and returns it. */
  synchronized String awaitLine(String regex, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String text = text();
      String complete = text.substring(0, text.lastIndexOf('\n') + 1);
      for (String line : complete.lines().toList()) {
        if (line.matches(regex)) {
          return line;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no line matching '" + regex + "' within " + timeout + "; output:\n" + text);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
