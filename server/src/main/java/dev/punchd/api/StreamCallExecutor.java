package dev.punchd.api;

import dev.punchd.v1.HolePunchGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.concurrent.Executor;

/**
 * Runs the callbacks of {@code Stream} calls on the transport's own thread instead of handing each message
 * to the server's executor: every Stream callback ({@link StreamSession}) only takes short locks that are
 * never held across I/O, so it never blocks, and the hand-off (a virtual thread per message, plus the
 * parser's per-thread buffer allocated anew each time) cost more than the work. Every other call keeps the
 * server's executor (null), because those may wait (Close waits for the link to shut). Stateless.
 */
final class StreamCallExecutor implements ServerCallExecutorSupplier {
  private static final String STREAM = HolePunchGrpc.getStreamMethod().getFullMethodName();
  private static final Executor DIRECT = Runnable::run;

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata metadata) {
    return STREAM.equals(call.getMethodDescriptor().getFullMethodName()) ? DIRECT : null;
  }
}
