package dev.punchd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.punchd.v1.HolePunchGrpc;
import dev.punchd.v1.StreamRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamRequestMarshallerTest {
  private final StreamRequestMarshaller marshaller = new StreamRequestMarshaller();

  @Test
  void dataOfAMessageThatIsAllDataIsParsedIntact() {
    byte[] payload = new byte[64 * 1024];
    new Random(3).nextBytes(payload);
    StreamRequest request = StreamRequest.newBuilder().setData(ByteString.copyFrom(payload)).build();

    StreamRequest parsed = marshaller.parse(marshaller.stream(request));

    assertThat(parsed).isEqualTo(request);
    assertThat(parsed.getData().toByteArray()).isEqualTo(payload);
  }

  /** One copy, from gRPC's buffers into the message's array: the data is a view of that array, not a copy of it. */
  @Test
  void dataOfAMessageThatIsAllDataAliasesTheMessage() {
    StreamRequest request = StreamRequest.newBuilder().setData(ByteString.copyFrom(new byte[64 * 1024])).build();

    ByteString data = marshaller.parse(marshaller.stream(request)).getData();

    // protobuf's view of part of an array (a copy would be a LiteralByteString of its own)
    assertThat(data.getClass().getSimpleName()).isEqualTo("BoundedByteString");
  }

  /** A small chunk must not keep a large message alive: its heap is counted as its size. */
  @Test
  void dataBesideALargeConnectionIdIsCopiedOutOfTheMessage() {
    StreamRequest request = StreamRequest.newBuilder().setConnectionId("x".repeat(100_000))
        .setData(ByteString.copyFromUtf8("hi")).build();

    StreamRequest parsed = marshaller.parse(marshaller.stream(request));

    assertThat(parsed).isEqualTo(request);
    ByteBuffer data = parsed.getData().asReadOnlyByteBuffer();
    assertThat(data.hasArray() ? data.array().length : data.capacity()).as("backing storage of the data")
        .isLessThan(1024);
  }

  @Test
  void malformedBytesAreInternalNamingTheMessage() {
    byte[] truncated = {0x12, 0x10, 1, 2}; // field 2, 16 bytes announced, 2 present

    assertThatThrownBy(() -> marshaller.parse(new ByteArrayInputStream(truncated)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
          assertThat(e.getStatus().getDescription()).startsWith("invalid StreamRequest");
        });
  }

  @Test
  void installReplacesOnlyTheStreamRequestParser() {
    var service = StreamRequestMarshaller.install(new HolePunchGrpc.HolePunchImplBase() {}.bindService());

    String stream = HolePunchGrpc.getStreamMethod().getFullMethodName();
    assertThat(service.getMethod(stream).getMethodDescriptor().getRequestMarshaller())
        .isInstanceOf(StreamRequestMarshaller.class);
    assertThat(service.getMethods()).hasSize(HolePunchGrpc.getServiceDescriptor().getMethods().size());
    assertThat(service.getServiceDescriptor().getSchemaDescriptor()).as("reflection still finds the schema")
        .isSameAs(HolePunchGrpc.getServiceDescriptor().getSchemaDescriptor());
  }
}
