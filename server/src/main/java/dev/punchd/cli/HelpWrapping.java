package dev.punchd.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Wraps {@code --help} text between words only. picocli wraps with the JDK's line break rules, which break
 * after a dot or a colon inside a token ({@code api.ipify.\n org}, {@code IP:\n PORT}); here picocli lays
 * every row out on one line and this class wraps it at spaces, indenting continuation lines the way picocli
 * does: under the row's description, plus two; under the command name in the synopsis. A token longer than
 * a line stays whole. Stateless.
 */
final class HelpWrapping {
  /** Wide enough that picocli never wraps a row itself. */
  private static final int UNWRAPPED = 10_000;
  /** A table row's last column: after the first run of two or more spaces that follows text. */
  private static final Pattern LAST_COLUMN = Pattern.compile("^ +\\S.*? {2,}(?=\\S)");
  /** Continuation lines of a description are indented this much further than its first line, as picocli does. */
  private static final int HANGING = 2;
  private static final String USAGE = "Usage: ";

  private HelpWrapping() {}

  /** Makes {@code root} and its subcommands wrap their help at {@code width} columns, between words. */
  static void install(CommandLine root, int width) {
    root.setUsageHelpWidth(UNWRAPPED);
    root.getHelpSectionMap().replaceAll((key, renderer) -> help -> switch (key) {
      case UsageMessageSpec.SECTION_KEY_SYNOPSIS -> {
        // the heading ("Usage: ") is a section of its own, but shares the synopsis' first line
        String heading = help.synopsisHeading();
        yield wrap(heading + renderer.render(help), width, 0).substring(heading.length());
      }
      case UsageMessageSpec.SECTION_KEY_OPTION_LIST -> wrap(renderer.render(help), width, descriptionColumn(help));
      default -> wrap(renderer.render(help), width, 0);
    });
    root.getSubcommands().values().forEach(sub -> install(sub, width));
  }

  /**
   * Wraps each line of {@code text} longer than {@code width} at spaces.
   *
   * @param column where the description starts in a row of the option table; 0 outside that table
   */
  static String wrap(String text, int width, int column) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.length() <= width) {
        lines.add(line);
      } else {
        int start = contentStart(line, column);
        int indent = line.startsWith(USAGE) ? line.indexOf(' ', USAGE.length()) + 1
            : start == 0 ? 0 : start + HANGING;
        lines.addAll(wrapWords(line.substring(0, start), line.substring(start), " ".repeat(indent), width));
      }
    }
    return String.join("\n", lines);
  }

  private static List<String> wrapWords(String prefix, String content, String indent, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder current = new StringBuilder(prefix);
    boolean lineHasWord = false;
    for (String word : content.split(" ")) {
      if (lineHasWord && current.length() + 1 + word.length() > width) {
        lines.add(current.toString());
        current = new StringBuilder(indent);
        lineHasWord = false;
      }
      current.append(lineHasWord ? " " : "").append(word);
      lineHasWord = true;
    }
    lines.add(current.toString());
    return lines;
  }

  /** Where the row's text to wrap starts: its description column, or 0 for a line that is not a row. */
  private static int contentStart(String line, int column) {
    if (!line.startsWith(" ")) {
      return 0;
    }
    if (column > 0 && line.substring(0, column).endsWith(" ")) {
      return column;
    }
    Matcher matcher = LAST_COLUMN.matcher(line);
    return matcher.find() ? matcher.end() : line.length() - line.stripLeading().length();
  }

  /** The option table's description column: the width of all columns before the last, plus its indent. */
  private static int descriptionColumn(Help help) {
    Help.Column[] columns = help.createDefaultLayout().textTable().columns();
    Help.Column description = columns[columns.length - 1];
    return Arrays.stream(columns, 0, columns.length - 1).mapToInt(c -> c.width).sum() + description.indent;
  }
}
