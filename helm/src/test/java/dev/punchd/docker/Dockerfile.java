package dev.punchd.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A Dockerfile as stages of instructions: comment lines dropped, continuation lines joined, keywords
 * upper-cased. Enough of the Dockerfile format for checking our own file, not a general parser (no
 * parser directives, no escape character other than backslash, ENV only in KEY=VALUE form).
 * Immutable, so thread-safe.
 */
record Dockerfile(List<Stage> stages) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Dockerfile parse(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Stage> stages = new ArrayList<>();
    List<Instruction> current = null;
    for (String logicalLine : joinContinuations(lines)) {
      String[] split = logicalLine.strip().split("\\s+", 2);
      Instruction instruction = new Instruction(split[0].toUpperCase(Locale.ROOT), split.length > 1 ? split[1] : "");
      if (instruction.keyword().equals("FROM")) {
        List<String> from = instruction.words();
        current = new ArrayList<>();
        String name = from.size() == 3 && from.get(1).equalsIgnoreCase("AS") ? from.get(2) : "";
        stages.add(new Stage(from.get(0), name, current));
      } else if (current == null) {
        throw new IllegalArgumentException(file + ": " + instruction.keyword() + " before the first FROM");
      } else {
        current.add(instruction);
      }
    }
    return new Dockerfile(stages.stream().map(Stage::frozen).toList());
  }

  private static List<String> joinContinuations(List<String> lines) {
    List<String> logicalLines = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    for (String line : lines) {
      if (line.isBlank() || line.strip().startsWith("#")) {
        continue; // Docker drops comment lines, also inside a continued instruction
      }
      if (line.stripTrailing().endsWith("\\")) {
        String stripped = line.stripTrailing();
        pending.append(stripped, 0, stripped.length() - 1).append(' ');
      } else {
        logicalLines.add(pending.append(line).toString());
        pending.setLength(0);
      }
    }
    if (!pending.isEmpty()) {
      throw new IllegalArgumentException("the last instruction ends with a continuation: " + pending);
    }
    return logicalLines;
  }

  Stage stage(String name) {
    return stages.stream()
        .filter(stage -> stage.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no stage named " + name));
  }

  /** The stage the image is made of. */
  Stage runtime() {
    return stages.getLast();
  }

  /** One FROM ... AS name stage: its base image, its name (empty if unnamed) and its instructions. */
  record Stage(String image, String name, List<Instruction> instructions) {
    private Stage frozen() {
      return new Stage(image, name, List.copyOf(instructions));
    }

    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Instruction only(String keyword) {
      List<Instruction> found = all(keyword);
      if (found.size() != 1) {
        throw new NoSuchElementException("stage " + image + " has " + found.size() + " " + keyword + " instructions");
      }
      return found.getFirst();
    }

    /** The variables its ENV instructions set, in KEY=VALUE form (quotes around a value removed). */
    Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      for (Instruction instruction : all("ENV")) {
        for (String pair : instruction.words()) {
          int equals = pair.indexOf('=');
          if (equals < 1) {
            throw new IllegalArgumentException("ENV not in KEY=VALUE form: " + instruction.arguments());
          }
          env.put(pair.substring(0, equals), pair.substring(equals + 1).replaceAll("^\"|\"$", ""));
        }
      }
      return env;
    }
  }

  /** One instruction: its keyword and the rest of its (joined) line. */
  record Instruction(String keyword, String arguments) {
    List<String> words() {
      return List.of(arguments.strip().split("\\s+"));
    }

    /** The arguments as an exec-form JSON array; fails if they are in shell form. */
    List<String> execForm() {
      try {
        return JSON.readValue(arguments, new TypeReference<List<String>>() {});
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(keyword + " is not in exec form (a JSON array of strings): " + arguments, e);
      }
    }
  }
}
