package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.v1.HolePunchGrpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class StreamCallExecutorTest {
  private final StreamCallExecutor supplier = new StreamCallExecutor();

  @Test
  void streamCallbacksRunOnTheCallingThread() {
    Executor executor = supplier.getExecutor(call(HolePunchGrpc.getStreamMethod()), new Metadata());

    Thread[] ranOn = new Thread[1];
    executor.execute(() -> ranOn[0] = Thread.currentThread());
    assertThat(ranOn[0]).isSameAs(Thread.currentThread());
  }

  /** Close may wait seconds for a link to shut: it must keep the server's executor. */
  @Test
  void everyOtherMethodKeepsTheServersExecutor() {
    assertThat(supplier.getExecutor(call(HolePunchGrpc.getCloseMethod()), new Metadata())).isNull();
    assertThat(supplier.getExecutor(call(HolePunchGrpc.getEventsMethod()), new Metadata())).isNull();
  }

  private static <Q, R> ServerCall<Q, R> call(MethodDescriptor<Q, R> method) {
    return new ServerCall<>() {
      @Override
      public void request(int numMessages) {}

      @Override
      public void sendHeaders(Metadata headers) {}

      @Override
      public void sendMessage(R message) {}

      @Override
      public void close(Status status, Metadata trailers) {}

      @Override
      public boolean isCancelled() {
        return false;
      }

      @Override
      public MethodDescriptor<Q, R> getMethodDescriptor() {
        return method;
      }
    };
  }
}
