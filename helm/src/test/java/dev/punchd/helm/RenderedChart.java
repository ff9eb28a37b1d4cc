package dev.punchd.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/**
 * The manifests {@code helm template} renders from the chart in {@code punchd/}, parsed, with lookups
 * by kind and name. Immutable, so thread-safe.
 */
final class RenderedChart {
  static final Path CHART = Path.of("punchd");
  static final String RELEASE = "demo";
  /** Name prefix of the release's resources ({@code <release>-<chart>}). */
  static final String FULLNAME = RELEASE + "-punchd";

  private static final YAMLMapper YAML = new YAMLMapper();

  private final List<JsonNode> manifests;

  private RenderedChart(List<JsonNode> manifests) {
    this.manifests = List.copyOf(manifests);
  }

  /** Renders with the chart's defaults overlaid by {@code valuesFiles} (names in punchd/ci), in order. */
  static RenderedChart render(String... valuesFiles) {
    return render(command -> {
      for (String file : valuesFiles) {
        command = command.withValuesFile(CHART.resolve("ci").resolve(file));
      }
      return command;
    });
  }

  /** Renders with the options {@code options} adds; helm's error surfaces as IllegalStateException. */
  static RenderedChart render(UnaryOperator<TemplateCommand> options) {
    String yaml = options.apply(new Helm(CHART).template().withName(RELEASE)).call();
    return new RenderedChart(parse(yaml));
  }

  static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static List<JsonNode> parse(String yaml) {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode document = it.next();
        if (document != null && document.isObject()) {
          documents.add(document);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("helm rendered unparsable YAML:\n" + yaml, e);
    }
    return documents;
  }

  List<JsonNode> ofKind(String kind) {
    return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
  }

  JsonNode get(String kind, String name) {
    return ofKind(kind).stream()
        .filter(m -> m.at("/metadata/name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no " + kind + " named " + name + " in " + names()));
  }

  /** "Kind/name" of every manifest, for assertion messages and whole-release checks. */
  List<String> names() {
    return manifests.stream()
        .map(m -> m.path("kind").asText() + "/" + m.at("/metadata/name").asText())
        .toList();
  }

  /** The example workload: the application with the punchd sidecar. */
  JsonNode workload() {
    return get("Deployment", FULLNAME);
  }

  JsonNode sidecar() {
    return container(workload(), "punchd");
  }

  JsonNode app() {
    return container(workload(), "app");
  }

  static JsonNode container(JsonNode deployment, String name) {
    JsonNode container = named(deployment.at("/spec/template/spec/containers"), name);
    if (container.isMissingNode()) {
      throw new NoSuchElementException("no container " + name + " in " + deployment.at("/metadata/name"));
    }
    return container;
  }

  /** The element of {@code list} whose "name" is {@code name}, or a missing node. */
  static JsonNode named(JsonNode list, String name) {
    for (JsonNode element : list) {
      if (element.path("name").asText().equals(name)) {
        return element;
      }
    }
    return MissingNode.getInstance();
  }

  /** A container's literal environment variables, in order. */
  static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    container.path("env").forEach(var -> env.put(var.path("name").asText(), var.path("value").asText()));
    return env;
  }

  /** A container's ports by name. */
  static Map<String, JsonNode> ports(JsonNode container) {
    Map<String, JsonNode> ports = new LinkedHashMap<>();
    container.path("ports").forEach(port -> ports.put(port.path("name").asText(), port));
    return ports;
  }
}
