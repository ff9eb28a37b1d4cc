package dev.punchd.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a {@code /metrics} endpoint in Prometheus text format, parsed into series: a series is
 * named by its metric name and labels, e.g. {@code value("punchd_punch_outcomes_total", "outcome",
 * "established", "transport", "tcp")}. Immutable.
 */
public final class PrometheusScrape {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String text;
  private final Map<String, Double> series;

  private PrometheusScrape(String text, Map<String, Double> series) {
    this.text = text;
    this.series = series;
  }

  /** GETs {@code http://address/metrics}, failing unless it answers 200 in the text format. */
  public static PrometheusScrape of(InetSocketAddress address) throws IOException, InterruptedException {
    try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
              URI.create("http://" + address.getHostString() + ":" + address.getPort() + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("/metrics answered " + response.statusCode() + ": " + response.body());
      }
      if (!response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain")) {
        throw new AssertionError("/metrics is not the text format: " + response.headers());
      }
      return parse(response.body());
    }
  }

  static PrometheusScrape parse(String text) {
    Map<String, Double> series = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line);
      if (!sample.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new TreeMap<>();
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      series.put(key(sample.group(1), labels), Double.parseDouble(sample.group(3)));
    }
    return new PrometheusScrape(text, series);
  }

  /** The value of the series with exactly these labels (name, value, name, value...); fails if absent. */
  public double value(String name, String... labels) {
    Map<String, String> wanted = new TreeMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    Double value = series.get(key(name, wanted));
    if (value == null) {
      throw new AssertionError("no series " + key(name, wanted) + " in the scrape:\n" + text);
    }
    return value;
  }

  /** True if some series of this metric name exists. */
  public boolean has(String name) {
    return series.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
  }

  /** Sum over every series of this metric name whose labels include {@code label=value}. */
  public double sum(String name, String label, String value) {
    String part = label + "=" + value;
    return series.entrySet().stream()
        .filter(e -> e.getKey().startsWith(name + "{") && e.getKey().matches(".*[{ ]" + Pattern.quote(part) + "[,}].*"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  private static String key(String name, Map<String, String> labels) {
    return labels.isEmpty() ? name : name + labels;
  }
}
