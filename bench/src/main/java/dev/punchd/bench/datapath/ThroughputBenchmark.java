package dev.punchd.bench.datapath;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** One-way bulk transfer A -> B in 64 KiB writes; one operation moves {@link #BYTES_PER_OP} bytes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBenchmark {
  public static final long BYTES_PER_OP = 16L << 20;

  @Param({"TCP", "RAW", "SECURE"})
  public String path;

  private DataPath dataPath;

  @Setup(Level.Trial)
  public void open() throws Exception {
    dataPath = DataPath.open(DataPath.Kind.valueOf(path), false);
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    dataPath.close();
  }

  @Benchmark
  public void transfer16MiB() throws Exception {
    dataPath.transfer(BYTES_PER_OP);
  }
}
