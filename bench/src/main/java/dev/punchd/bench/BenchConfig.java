package dev.punchd.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a bench run does, resolved from the command line (smoke mode shrinks every size). Immutable.
 *
 * @param smoke a quick run that only checks the benchmarks work and produce the table
 * @param rounds how many times throughput and latency repeat their measurement (medians are over rounds)
 * @param iteration length of one JMH warm-up or measurement iteration
 * @param warmupIterations JMH warm-up iterations per fork
 * @param measurementIterations JMH measurement iterations per fork
 * @param connections connections of the scale benchmark
 * @param mixedTraffic length of the scale benchmark's mixed-traffic run
 * @param startups process starts of the footprint benchmark (each for punchd and for the baseline JVM)
 * @param natlabRuns punches per skew and security mode in the NAT lab
 * @param natlabDelayMs delay on each public link of the NAT lab, each way (0: none)
 * @param natlabInbound how the lab's NATs treat unsolicited inbound SYNs, each measured: {@code drop}, {@code rst}
 * @param natlabNat the lab's NAT types, each measured: {@code cone}, {@code fullcone}
 * @param natlabSkews the skews between the two AttemptConnection calls, each measured
 * @param natlabTimeExceeded whether the lab's ISP routers answer expired packets (a mapping opener's SYN) with ICMP
 * @param punchdJar the sidecar's runnable jar
 * @param natlabDir the directory with the {@code lab} script
 * @param benchJar this benchmark's own jar (for helper processes)
 * @param workDir where processes' logs and sockets go
 */
public record BenchConfig(
    boolean smoke,
    int rounds,
    Duration iteration,
    int warmupIterations,
    int measurementIterations,
    int connections,
    Duration mixedTraffic,
    int startups,
    int natlabRuns,
    int natlabDelayMs,
    List<String> natlabInbound,
    List<String> natlabNat,
    List<Duration> natlabSkews,
    boolean natlabTimeExceeded,
    Path punchdJar,
    Path natlabDir,
    Path benchJar,
    Path workDir) {}
