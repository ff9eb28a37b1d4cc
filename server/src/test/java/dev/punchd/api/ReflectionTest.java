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
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Both server reflection versions list the API: v1 for current tools, v1alpha for older grpcurl and friends. */
class ReflectionTest {

  /** One reflection version: its bidirectional method, a list-services request, and how to read the answer. */
  private record Version<Q, R>(String name, MethodDescriptor<Q, R> method, Q listServices,
      Function<R, List<String>> serviceNames) {
    List<String> listServices(Channel channel) throws Exception {
      return serviceNames.apply(firstResponse(channel, method, listServices));
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @SuppressWarnings("deprecation")
  static Stream<Version<?, ?>> versions() {
    return Stream.of(
        new Version<>("v1", io.grpc.reflection.v1.ServerReflectionGrpc.getServerReflectionInfoMethod(),
            io.grpc.reflection.v1.ServerReflectionRequest.newBuilder().setListServices("").build(),
            response -> response.getListServicesResponse().getServiceList().stream()
                .map(io.grpc.reflection.v1.ServiceResponse::getName).toList()),
        new Version<>("v1alpha", io.grpc.reflection.v1alpha.ServerReflectionGrpc.getServerReflectionInfoMethod(),
            io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder().setListServices("").build(),
            response -> response.getListServicesResponse().getServiceList().stream()
                .map(io.grpc.reflection.v1alpha.ServiceResponse::getName).toList()));
  }

  @ParameterizedTest
  @MethodSource("versions")
  void listsTheService(Version<?, ?> version) throws Exception {
    try (TestSidecar sidecar = TestSidecar.start()) {
      assertThat(version.listServices(sidecar.channel())).contains(HolePunchGrpc.SERVICE_NAME);
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
