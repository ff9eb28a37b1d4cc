package dev.punchd.natlab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The results of a run, one row per case (case, lab settings, peers, result, time to established),
 * printed to stdout and written as a Markdown table. Thread-safe.
 */
final class Matrix {
  /** One case's line of the matrix. */
  record Row(String name, String lab, String peers, String result, String timeToEstablished) {}

  private final List<Row> rows = new ArrayList<>(); // guarded by this
  private final List<String> notes = new ArrayList<>(); // guarded by this

  synchronized void add(Row row) {
    rows.add(row);
  }

  /** A line under the table (e.g. why cases did not run). */
  synchronized void note(String note) {
    notes.add(note);
  }

  synchronized String render() {
    StringBuilder text = new StringBuilder("## natlab end-to-end matrix\n\n")
        .append("| case | lab | peers | result | time to established |\n")
        .append("|---|---|---|---|---|\n");
    for (Row row : rows) {
      text.append("| ").append(String.join(" | ", cell(row.name()), cell(row.lab()), cell(row.peers()),
          cell(row.result()), cell(row.timeToEstablished()))).append(" |\n");
    }
    for (String note : notes) {
      text.append("\n").append(note).append("\n");
    }
    return text.toString();
  }

  /** Prints the matrix and writes it to {@code file}. */
  void publish(Path file) throws IOException {
    String text = render();
    System.out.println("\n" + text);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static String cell(String value) {
    return value.replace("|", "\\|").replace("\n", " ");
  }
}
