package dev.punchd.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One chat running in this JVM through {@link Chat#run}: its stdin is a pipe the test types into, its stdout
 * and stderr are captured. Closing ends its stdin. Thread-safe.
 */
final class ChatRun implements AutoCloseable {
  final OutputCapture stdout = new OutputCapture();
  final OutputCapture stderr = new OutputCapture();
  private final OutputStream stdin;
  private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();

  private ChatRun(Pipe stdinPipe) {
    this.stdin = Channels.newOutputStream(stdinPipe.sink());
  }

  static ChatRun start(String... args) throws IOException {
    Pipe pipe = Pipe.open();
    ChatRun run = new ChatRun(pipe);
    Thread.ofPlatform().name("chat-run").start(() -> run.exitCode.complete(Chat.run(args,
        Channels.newInputStream(pipe.source()),
        new PrintStream(run.stdout, true, StandardCharsets.UTF_8),
        new PrintStream(run.stderr, true, StandardCharsets.UTF_8))));
    return run;
  }

  /** Writes {@code text} to the chat's stdin. */
  synchronized void type(String text) throws IOException {
    stdin.write(text.getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** End of input, as Ctrl-D in a terminal. */
  synchronized void endInput() throws IOException {
    stdin.close();
  }

  int awaitExitCode(Duration timeout) throws Exception {
    return exitCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    endInput();
  }
}
