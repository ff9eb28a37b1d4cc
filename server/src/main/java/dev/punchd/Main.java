package dev.punchd;

import dev.punchd.cli.ServeCommand;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Entry point: routes java.util.logging to SLF4J and runs the command line. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(ServeCommand.commandLine().execute(args));
  }
}
