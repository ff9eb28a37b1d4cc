package dev.punchd.bench.datapath;

import dev.punchd.bench.BenchConfig;
import dev.punchd.bench.datapath.DataPath.Kind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs one JMH benchmark class for every {@link Kind} (one fork each), {@code rounds} times, so the baseline
 * and punchd alternate under the same machine noise; JMH's progress goes to stderr. Stateless.
 */
final class JmhRounds {
  private JmhRounds() {}

  /** Per round, each kind's JMH result. */
  static List<Map<Kind, RunResult>> run(Class<?> benchmark, BenchConfig config) throws RunnerException {
    Options options = new OptionsBuilder()
        .include("^" + benchmark.getName().replace(".", "\\.") + "\\.")
        .forks(1)
        .warmupIterations(config.warmupIterations())
        .warmupTime(TimeValue.milliseconds(config.iteration().toMillis()))
        .measurementIterations(config.measurementIterations())
        .measurementTime(TimeValue.milliseconds(config.iteration().toMillis()))
        .jvmArgsAppend("-DPUNCHD_LOG_LEVEL=WARN", "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow")
        .shouldFailOnError(true)
        .build();
    List<Map<Kind, RunResult>> rounds = new ArrayList<>();
    for (int round = 0; round < config.rounds(); round++) {
      Collection<RunResult> results =
          new Runner(options, OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL)).run();
      Map<Kind, RunResult> figures = new EnumMap<>(Kind.class);
      for (RunResult result : results) {
        figures.put(Kind.valueOf(result.getParams().getParam("path")), result);
      }
      if (figures.size() != Kind.values().length) {
        throw new IllegalStateException(benchmark.getSimpleName() + " round " + (round + 1)
            + " produced results for " + figures.keySet() + " only");
      }
      rounds.add(figures);
    }
    return rounds;
  }

  /** Per round, one figure per kind, extracted from that kind's result by {@code figure}. */
  static List<Map<Kind, Double>> figures(List<Map<Kind, RunResult>> rounds, ToDoubleFunction<RunResult> figure) {
    List<Map<Kind, Double>> figures = new ArrayList<>();
    for (Map<Kind, RunResult> round : rounds) {
      Map<Kind, Double> values = new EnumMap<>(Kind.class);
      round.forEach((kind, result) -> values.put(kind, figure.applyAsDouble(result)));
      figures.add(values);
    }
    return figures;
  }
}
