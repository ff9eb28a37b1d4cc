package dev.punchd.natlab;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What every natlab test class shares: its own lab ({@code <prefix><pid>}), the fixture that builds and
 * always tears it down (skipping the class, or failing it under CI=true, when the lab cannot be built),
 * and the matrix of results published to {@code server/target/<matrixFile>}. Not thread-safe.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class LabTestBase {
  protected final Path repoRoot = NatLab.findRepoRoot();
  protected final NatLab lab;
  protected final Matrix matrix = new Matrix();
  protected LabFixture fixture;
  private final String matrixFile;

  LabTestBase(String labPrefix, String matrixFile) {
    this.lab = new NatLab(repoRoot, labPrefix + ProcessHandle.current().pid());
    this.matrixFile = matrixFile;
  }

  @BeforeAll
  void openLab() throws Exception {
    fixture = LabFixture.openOrSkip(lab, matrix, repoRoot.resolve("server/target/natlab-logs"));
  }

  @AfterAll
  void tearDownLab() throws Exception {
    LabFixture.closeAndPublish(fixture, matrix, repoRoot.resolve("server/target/" + matrixFile));
  }
}
