package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punchd.testing.TestSidecar;
import dev.punchd.v1.HolePunchGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Both server reflection versions list the API: v1 for current tools, v1alpha for older grpcurl and friends. */
class ReflectionTest {

  @Test
  void reflectionV1ListsTheService() throws Exception {
    try (TestSidecar sidecar = TestSidecar.start()) {
      io.grpc.reflection.v1.ServerReflectionResponse response = firstResponse(sidecar.channel(),
          io.grpc.reflection.v1.ServerReflectionGrpc.getServerReflectionInfoMethod(),
          io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services = response.getListServicesResponse().getServiceList().stream()
          .map(io.grpc.reflection.v1.ServiceResponse::getName).toList();
      assertThat(services).contains(HolePunchGrpc.SERVICE_NAME);
    }
  }

  @Test
  @SuppressWarnings("deprecation")
  void reflectionV1AlphaListsTheService() throws Exception {
    try (TestSidecar sidecar = TestSidecar.start()) {
      io.grpc.reflection.v1alpha.ServerReflectionResponse response = firstResponse(sidecar.channel(),
          io.grpc.reflection.v1alpha.ServerReflectionGrpc.getServerReflectionInfoMethod(),
          io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> services = response.getListServicesResponse().getServiceList().stream()
          .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).toList();
      assertThat(services).contains(HolePunchGrpc.SERVICE_NAME);
    }
  }

  /** Sends one request on the bidirectional reflection stream and returns the first answer. */
  private static <Q, R> R firstResponse(Channel channel, MethodDescriptor<Q, R> method, Q request) throws Exception {
    CompletableFuture<R> first = new CompletableFuture<>();
    StreamObserver<Q> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(method, CallOptions.DEFAULT),
        new StreamObserver<R>() {
          @Override
          public void onNext(R value) {
            first.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            first.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            first.completeExceptionally(new IllegalStateException("reflection stream ended without an answer"));
          }
        });
    requests.onNext(request);
    requests.onCompleted();
    return first.get(10, TimeUnit.SECONDS);
  }
}
