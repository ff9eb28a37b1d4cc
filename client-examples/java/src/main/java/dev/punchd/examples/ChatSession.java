package dev.punchd.examples;

import dev.punchd.v1.AttemptConnectionRequest;
import dev.punchd.v1.CloseReason;
import dev.punchd.v1.CloseRequest;
import dev.punchd.v1.Closed;
import dev.punchd.v1.ConnectionOptions;
import dev.punchd.v1.Established;
import dev.punchd.v1.Event;
import dev.punchd.v1.EventsRequest;
import dev.punchd.v1.Failed;
import dev.punchd.v1.GetAddressesRequest;
import dev.punchd.v1.GetAddressesResponse;
import dev.punchd.v1.HolePunchGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One chat over one punchd connection: allocate it, print this side's {@link PeerLine}, punch toward the
 * peer, then carry stdin lines to the peer and the peer's lines to stdout until both sides have finished.
 * Uses the calling thread plus one daemon thread reading stdin. Not thread-safe: run it once.
 */
final class ChatSession {
  /** Bound on one unary call; generous, since the first call to a just-started sidecar on a busy host is slow. */
  private static final long UNARY_TIMEOUT_SECONDS = 30;

  private final ApiAddress api;
  private final HolePunchGrpc.HolePunchBlockingStub blocking;
  private final HolePunchGrpc.HolePunchStub async;
  private final StdinLines stdin;
  private final PrintStream stdout;
  private final PrintStream stderr;

  ChatSession(ApiAddress api, Channel channel, InputStream stdin, PrintStream stdout, PrintStream stderr) {
    this.api = api;
    this.blocking = HolePunchGrpc.newBlockingStub(channel);
    this.async = HolePunchGrpc.newStub(channel);
    this.stdin = new StdinLines(stdin);
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Chats until the connection has closed after both sides finished.
   *
   * @param peer the peer's addresses and fingerprint, or null to read the peer's line from stdin first
   * @throws ChatException when the chat cannot start or ends other than cleanly; the connection is closed then
   */
  void run(ConnectionOptions options, PeerLine peer) throws ChatException, InterruptedException {
    GetAddressesResponse own = unary("GetAddresses",
        stub -> stub.getAddresses(GetAddressesRequest.newBuilder().setOptions(options).build()));
    stdout.println(PeerLine.of(own).format());
    stdout.flush();
    boolean finished = false;
    try {
      chat(own.getConnectionId(), peer != null ? peer : readPeerLine());
      finished = true;
    } finally {
      if (!finished) {
        closeQuietly(own.getConnectionId());
      }
    }
  }

  private void chat(String id, PeerLine peer) throws ChatException, InterruptedException {
    Iterator<Event> events = blocking.events(EventsRequest.newBuilder().setConnectionId(id).build());
    unary("AttemptConnection", stub -> stub.attemptConnection(AttemptConnectionRequest.newBuilder()
        .setConnectionId(id)
        .addAllPeerAddresses(peer.addresses())
        .setPeerFingerprint(peer.fingerprint())
        .build()));
    Established established = awaitEstablished(events);
    stderr.printf("* connected to %s (%s, %d ms)%n", established.getRemoteAddress(), established.getSecurity(),
        established.getEstablishMillis());
    stderr.flush();

    LineStream stream = LineStream.open(async, id, stdout, stderr);
    Thread.ofPlatform().daemon().name("chat-stdin").start(() -> sendStdin(stream));
    try {
      stream.awaitEnd();
    } catch (ExecutionException e) {
      throw ChatException.rpc("Stream", api, Status.fromThrowable(e.getCause()).asRuntimeException());
    }
    awaitClosed(events);
  }

  private PeerLine readPeerLine() throws ChatException {
    byte[] line;
    try {
      line = stdin.next();
    } catch (IOException e) {
      throw new ChatException("cannot read the peer's ADDRESSES line from stdin: " + e.getMessage());
    }
    if (line == null) {
      throw new ChatException("stdin ended before the peer's ADDRESSES line");
    }
    return PeerLine.parse(new String(line, StandardCharsets.UTF_8));
  }

  private void sendStdin(LineStream stream) {
    try {
      stream.sendAll(stdin);
    } catch (IOException e) {
      stderr.println("chat: cannot read stdin (" + e.getMessage() + "), finishing the chat");
      stream.halfClose();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Established awaitEstablished(Iterator<Event> events) throws ChatException {
    while (true) {
      Event event = nextEvent(events);
      switch (event.getKindCase()) {
        case ESTABLISHED -> {
          return event.getEstablished();
        }
        case FAILED -> {
          Failed failed = event.getFailed();
          throw new ChatException("connection failed (" + failed.getReason() + "): " + failed.getMessage());
        }
        case CLOSED -> throw new ChatException("connection closed before it was established " + describe(event.getClosed()));
        default -> { } // a kind this example does not know: not an outcome
      }
    }
  }

  private void awaitClosed(Iterator<Event> events) throws ChatException {
    while (true) {
      Event event = nextEvent(events);
      if (event.hasClosed()) {
        if (event.getClosed().getReason() != CloseReason.COMPLETED) {
          throw new ChatException("connection closed " + describe(event.getClosed()));
        }
        return;
      }
    }
  }

  private Event nextEvent(Iterator<Event> events) throws ChatException {
    try {
      if (events.hasNext()) {
        return events.next();
      }
    } catch (StatusRuntimeException e) {
      throw ChatException.rpc("Events", api, e);
    }
    throw new ChatException("the sidecar ended the Events stream before the connection closed");
  }

  private <T> T unary(String call, Function<HolePunchGrpc.HolePunchBlockingStub, T> rpc) throws ChatException {
    try {
      return rpc.apply(blocking.withDeadlineAfter(UNARY_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    } catch (StatusRuntimeException e) {
      throw ChatException.rpc(call, api, e);
    }
  }

  /** Frees a connection this chat gives up on (the sidecar would expire it anyway). */
  private void closeQuietly(String id) {
    try {
      blocking.withDeadlineAfter(UNARY_TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .close(CloseRequest.newBuilder().setConnectionId(id).build());
    } catch (StatusRuntimeException ignored) {
      // the chat already reports why it ends; an unreachable sidecar expires the connection itself
    }
  }

  private static String describe(Closed closed) {
    return "(" + closed.getInitiator() + " " + closed.getReason() + "): " + closed.getMessage();
  }
}
