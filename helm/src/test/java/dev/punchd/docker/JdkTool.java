package dev.punchd.docker;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.spi.ToolProvider;

/** Runs a tool of the running JDK (jdeps, jlink) in-process. Stateless; each run gets its own tool instance. */
final class JdkTool {
  private JdkTool() {}

  /** Runs {@code name} with {@code args} and returns what it printed; fails naming the tool and its output. */
  static String run(String name, List<String> args) {
    ToolProvider tool = ToolProvider.findFirst(name)
        .orElseThrow(() -> new IllegalStateException("the running JDK (" + System.getProperty("java.home")
            + ") has no " + name));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = tool.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    if (exit != 0) {
      throw new AssertionError(name + " " + String.join(" ", args) + " exited " + exit + ":\n" + out + err);
    }
    return out.toString();
  }
}
