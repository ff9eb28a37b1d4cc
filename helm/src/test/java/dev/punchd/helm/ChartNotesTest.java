package dev.punchd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import org.junit.jupiter.api.Test;

/** NOTES.txt, rendered by a client-only dry-run install (no cluster involved). */
class ChartNotesTest {

  @Test
  void notesTellWhereTheAppFindsTheApiAndHowPortsAreExposed() {
    String notes = notes(install());

    assertThat(notes)
        .contains("PUNCHD_TARGET", "unix:/run/punchd/punchd.sock", "uid/gid 65532")
        .contains("ports 40000-40099 on the pod's address")
        .contains("native gRPC probes on port 8086")
        .doesNotContain("Reflector:", "WARNING");
  }

  @Test
  void notesWarnAboutATcpApiOnTheNodeLoopback() {
    String notes = notes(install()
        .withValuesFile(RenderedChart.CHART.resolve("ci/host-network-values.yaml"))
        .set("punchd.api.transport", "tcp"));

    assertThat(notes)
        .contains("127.0.0.1:50051", "the node's own ports (network.hostNetwork)")
        .contains("WARNING: the API listens on the node's loopback");
  }

  @Test
  void notesPointOtherSitesAtTheReflector() {
    String notes = notes(install()
        .withValuesFile(RenderedChart.CHART.resolve("ci/reflector-monitoring-values.yaml")));

    assertThat(notes)
        .contains("Service " + RenderedChart.FULLNAME + "-reflector (LoadBalancer, port 8080)")
        .contains("--set punchd.publicIp=http://<its address>:8080/")
        .contains("scraped through ServiceMonitor " + RenderedChart.FULLNAME);
  }

  private static InstallCommand install() {
    return new Helm(RenderedChart.CHART).install()
        .withName(RenderedChart.RELEASE)
        .dryRun()
        .withDryRunOption(DryRun.CLIENT)
        .clientOnly();
  }

  private static String notes(InstallCommand install) {
    String output = install.call().getOutput();
    assertThat(output).contains("NOTES:");
    return output.substring(output.indexOf("NOTES:"));
  }
}
