package dev.punchd.cli;

import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports command-line and startup errors the way a terminal user wants them: one line {@code punchd: ...}
 * (plus picocli's "did you mean" for a mistyped flag) and a pointer to {@code --help}, never the whole
 * usage or a stack trace. Both handlers exit with status 2 (usage). Stateless.
 */
final class ShortErrors implements IParameterExceptionHandler, IExecutionExceptionHandler {

  /** Installs both handlers on {@code root}; picocli hands them on to subcommands added before this call. */
  static void install(CommandLine root) {
    ShortErrors handler = new ShortErrors();
    root.setParameterExceptionHandler(handler);
    root.setExecutionExceptionHandler(handler);
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println("punchd: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println(helpHint(cli));
    err.flush();
    return CommandLine.ExitCode.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parseResult) throws Exception {
    if (!(e instanceof IllegalArgumentException || e instanceof IOException)) {
      throw e;
    }
    cli.getErr().println("punchd: " + e.getMessage());
    cli.getErr().flush();
    return CommandLine.ExitCode.USAGE;
  }

  /** {@code Try 'punchd --help'}, or {@code 'punchd reflector --help'} for a subcommand's error. */
  private static String helpHint(CommandLine cli) {
    return "Try '" + cli.getCommandSpec().qualifiedName() + " --help' for the flags and their defaults.";
  }
}
