package dev.punchd.bench.datapath;

import java.util.Random;
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

/** 1 KiB from A, echoed by B, back at A: one round trip per operation, sampled for percentiles. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PingPongBenchmark {
  public static final int MESSAGE_BYTES = 1024;

  @Param({"TCP", "RAW", "SECURE"})
  public String path;

  private final byte[] message = new byte[MESSAGE_BYTES];
  private DataPath dataPath;

  @Setup(Level.Trial)
  public void open() throws Exception {
    new Random(11).nextBytes(message);
    dataPath = DataPath.open(DataPath.Kind.valueOf(path), true);
  }

  @TearDown(Level.Trial)
  public void close() throws Exception {
    dataPath.close();
  }

  @Benchmark
  public void pingPong1KiB() throws Exception {
    dataPath.pingPong(message);
  }
}
