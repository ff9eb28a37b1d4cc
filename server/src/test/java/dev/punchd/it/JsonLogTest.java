package dev.punchd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.punchd.testing.Pair;
import dev.punchd.testing.SidecarProcess;
import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.ConnectionOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --log-format json --redact-addresses}: every line punchd writes is a JSON object; the lines about
 * a connection carry its id as {@code mdc.connection_id}; the peer's address appears only masked.
 */
class JsonLogTest {

  @Test
  void everyLineIsJsonAndConnectionLinesCarryTheConnectionId(@TempDir Path dir) throws Exception {
    try (SidecarProcess process = SidecarProcess.start(dir, "--log-format", "json", "--redact-addresses",
            "--metrics", "off");
        TestSidecar peer = TestSidecar.startLikeTheCommandLine()) {
      Pair pair = Pair.attempt(process, peer, ConnectionOptions.getDefaultInstance());
      pair.awaitEstablished();
      String id = pair.idA();
      process.blocking().close(CloseRequest.newBuilder().setConnectionId(id).build());
      assertThat(pair.eventsA.next().hasClosed()).isTrue();

      process.process().destroy();
      assertThat(process.awaitExit(Duration.ofSeconds(30))).as("exit code").contains(0);
      List<String> lines = process.logLines();

      List<JsonObject> entries = lines.stream().map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
      assertThat(entries).allSatisfy(entry -> assertThat(entry.keySet())
          .contains("timestamp", "level", "loggerName", "formattedMessage"));
      List<JsonObject> aboutConnection = entries.stream()
          .filter(entry -> entry.get("formattedMessage").getAsString().contains(id)).toList();
      assertThat(aboutConnection).extracting(entry -> entry.get("formattedMessage").getAsString())
          .anyMatch(message -> message.contains("allocated"))
          .anyMatch(message -> message.contains("established"))
          .anyMatch(message -> message.contains("closed"));
      assertThat(aboutConnection).allSatisfy(entry ->
          assertThat(entry.getAsJsonObject("mdc").get("connection_id").getAsString()).isEqualTo(id));
      assertThat(aboutConnection).extracting(entry -> entry.get("formattedMessage").getAsString())
          .filteredOn(message -> message.contains("established"))
          .singleElement().asString().containsPattern("established with (127\\.0\\.0\\.x|\\[0:0:0::x]):\\d+ ");
      for (String address : pair.addressesB.getLocalAddressesList()) {
        assertThat(lines).noneMatch(line -> line.contains(address));
      }
    }
  }
}
