package dev.punchd.bench;

import java.util.List;
import java.util.Set;

/** One benchmark of the issue: runs and returns its table rows. Implementations are used by one thread. */
public interface Section {
  /** The number for this benchmark, for ordering and for error rows. */
  int item();

  /** A short name, used in progress messages, error rows and {@code --only}. */
  String name();

  /** The {@code --only} names that run this benchmark: its own name, unless it belongs to others too. */
  default Set<String> selectedBy() {
    return Set.of(name());
  }

  List<Row> run(BenchConfig config) throws Exception;
}
