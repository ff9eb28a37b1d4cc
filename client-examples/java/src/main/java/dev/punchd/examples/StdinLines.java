package dev.punchd.examples;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads an input stream line by line as bytes, keeping each line's newline. Not thread-safe. */
final class StdinLines {
  private final InputStream in;

  StdinLines(InputStream in) {
    this.in = new BufferedInputStream(in);
  }

  /** The next line with its {@code '\n'} (the last line may lack one), or null at end of input. */
  byte[] next() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    return b == -1 && line.size() == 0 ? null : line.toByteArray();
  }
}
