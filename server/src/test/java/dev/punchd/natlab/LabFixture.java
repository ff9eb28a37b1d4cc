package dev.punchd.natlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The lab of one test run: builds it in the setup a case asks for, runs the reflector and the sidecars it
 * needs (started on first use, stopped when the setup changes) and always tears everything down: on
 * {@link #close()}, or in a JVM shutdown hook if the run dies first. {@link #close()} then checks that no
 * process and no namespace is left. Not thread-safe: one test at a time.
 */
final class LabFixture implements AutoCloseable {
  private static final Duration REFLECTOR_START = Duration.ofSeconds(60);

  private final NatLab lab;
  private final Path socketDir;
  private final Path logDir;
  private final AtomicInteger processCount = new AtomicInteger();
  private final List<LabProcess> everStarted = new CopyOnWriteArrayList<>();
  private final Map<String, LabSidecar> sidecars = new LinkedHashMap<>();
  private final Thread shutdownHook;
  private LabSetup setup;
  private List<String> flags = LabSidecar.REFLECTOR_DISCOVERY;
  private LabProcess reflector;

  private LabFixture(NatLab lab, Path socketDir, Path logDir) {
    this.lab = lab;
    this.socketDir = socketDir;
    this.logDir = logDir;
    this.shutdownHook = new Thread(this::emergencyTearDown, "natlab-teardown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** A fixture for the lab {@code lab}; sidecar logs go to {@code logDir}. */
  static LabFixture open(NatLab lab, Path logDir) throws IOException {
    Files.createDirectories(logDir);
    return new LabFixture(lab, Files.createTempDirectory("natlab-e2e-"), logDir);
  }

  /**
   * A fixture for one test class's lab; when the lab cannot be built here it notes why in {@code matrix} and
   * skips the class (fails it under CI=true).
   */
  static LabFixture openOrSkip(NatLab lab, Matrix matrix, Path logDir) throws IOException, InterruptedException {
    Optional<String> missing = LabPrerequisites.missing(lab.id());
    if (missing.isPresent()) {
      matrix.note("Not run: " + missing.get());
      LabPrerequisites.skipOrFail(missing.get());
    }
    return open(lab, logDir);
  }

  /** Closes {@code fixture} (null: it never opened) and publishes {@code matrix} to {@code file} either way. */
  static void closeAndPublish(LabFixture fixture, Matrix matrix, Path file) throws Exception {
    try {
      if (fixture != null) {
        fixture.close();
        matrix.note("Teardown: every punchd stopped, no process left in the lab, every namespace removed.");
      }
    } finally {
      matrix.publish(file);
    }
  }

  NatLab lab() {
    return lab;
  }

  /** Sidecars in {@code hosts} of the lab built as {@code wanted} says (rebuilt if it was built otherwise). */
  List<LabSidecar> use(LabSetup wanted, String... hosts) throws Exception {
    return use(wanted, LabSidecar.REFLECTOR_DISCOVERY, hosts);
  }

  /** As {@link #use(LabSetup, String...)}, the sidecars started with {@code sidecarFlags} (restarted if they differ). */
  List<LabSidecar> use(LabSetup wanted, List<String> sidecarFlags, String... hosts) throws Exception {
    if (!sidecarFlags.equals(flags)) {
      for (LabSidecar sidecar : sidecars.values()) {
        sidecar.close();
      }
      sidecars.clear();
      flags = List.copyOf(sidecarFlags);
    }
    if (!wanted.equals(setup)) {
      stopProcesses();
      setup = null;
      lab.up(wanted);
      setup = wanted;
      reflector = track(LabProcess.startPunchd(lab, "pub", nextLog("pub"),
          List.of("reflector", "--listen", LabSetup.REFLECTOR_LISTEN)));
      reflector.awaitLog("serving on", REFLECTOR_START);
    }
    startMissing(Arrays.stream(hosts).filter(host -> !sidecars.containsKey(host)).toList());
    return Arrays.stream(hosts).map(sidecars::get).toList();
  }

  boolean delayAvailable() throws IOException, InterruptedException {
    return lab.delayAvailable();
  }

  /** Starts sidecars in parallel (a JVM start is the slow part); keeps those that started even if one fails. */
  private void startMissing(List<String> hosts) throws Exception {
    List<Future<LabSidecar>> starts = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (String host : hosts) {
        Path log = nextLog(host);
        starts.add(executor.submit(() -> LabSidecar.start(lab, host, socketDir.resolve(host + ".sock"), log, flags)));
      }
    }
    Exception failure = null;
    for (int i = 0; i < hosts.size(); i++) {
      try {
        LabSidecar sidecar = starts.get(i).get();
        track(sidecar.process());
        sidecars.put(hosts.get(i), sidecar);
      } catch (Exception e) {
        failure = failure == null ? e : failure;
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private Path nextLog(String host) {
    return logDir.resolve(lab.id() + "-" + processCount.incrementAndGet() + "-" + host + ".log");
  }

  private LabProcess track(LabProcess process) {
    everStarted.add(process);
    return process;
  }

  private void stopProcesses() throws InterruptedException {
    for (LabSidecar sidecar : sidecars.values()) {
      sidecar.close();
    }
    sidecars.clear();
    if (reflector != null) {
      reflector.close();
      reflector = null;
    }
  }

  /**
   * Stops every process, checks the lab's namespaces are empty of processes, removes the lab and checks
   * nothing of it is left; throws an AssertionError naming any leftover.
   */
  @Override
  public void close() throws Exception {
    List<String> leftovers = new ArrayList<>();
    try {
      stopProcesses();
      for (String namespace : lab.namespaces()) {
        List<String> pids = lab.pidsIn(namespace);
        if (!pids.isEmpty()) {
          leftovers.add("processes " + pids + " still running in " + namespace + " after every punchd was stopped");
        }
      }
    } finally {
      lab.down();
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
      deleteSocketDir();
    }
    everStarted.stream().filter(LabProcess::isAlive).forEach(p -> leftovers.add(p + " is still alive"));
    lab.namespaces().forEach(namespace -> leftovers.add("namespace " + namespace + " left after lab down"));
    if (!leftovers.isEmpty()) {
      throw new AssertionError("natlab teardown left things behind: " + leftovers);
    }
  }

  private void deleteSocketDir() throws IOException {
    try (var files = Files.list(socketDir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(socketDir);
  }

  /** Shutdown hook: the run is dying without {@link #close()}; kill what it started and remove the lab. */
  private void emergencyTearDown() {
    everStarted.forEach(LabProcess::kill);
    try {
      lab.down();
    } catch (Exception e) {
      System.err.println("natlab: could not remove lab " + lab.id() + " while the JVM shut down: " + e);
    }
  }
}
