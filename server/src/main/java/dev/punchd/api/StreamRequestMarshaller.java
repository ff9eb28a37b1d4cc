package dev.punchd.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.punchd.v1.HolePunchGrpc;
import dev.punchd.v1.StreamRequest;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code StreamRequest}s with one copy instead of two: the message is read into an array of its own and
 * its {@code data} aliases that array, where the default parser copies into a per-thread buffer and then
 * copies {@code data} out again. The aliased bytes are the whole array but for the field's tag and length, so
 * a chunk's heap is still its size plus {@link dev.punchd.engine.DataPipe}'s per-chunk overhead; a message
 * that carries more than that besides its data (a connection id, unknown fields) has its data copied, so a
 * small chunk never pins a large message. Serialising is the default. Stateless.
 */
final class StreamRequestMarshaller implements MethodDescriptor.Marshaller<StreamRequest> {
  /** Bytes of a message besides its data up to which the data aliases the message: tag and length of a 1 MiB field. */
  static final int MAX_ALIASED_EXTRA = 8;
  private static final MethodDescriptor.Marshaller<StreamRequest> DEFAULT =
      ProtoUtils.marshaller(StreamRequest.getDefaultInstance());
  private static final String STREAM = HolePunchGrpc.getStreamMethod().getFullMethodName();

  /** {@code service} with this marshaller for the Stream method's requests; other services unchanged. */
  static ServerServiceDefinition install(ServerServiceDefinition service) {
    if (service.getMethod(STREAM) == null) {
      return service;
    }
    ServiceDescriptor old = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
        .setSchemaDescriptor(old.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> replaced = method.getMethodDescriptor().getFullMethodName().equals(STREAM)
          ? withThisMarshaller(method) : method;
      descriptor.addMethod(replaced.getMethodDescriptor());
      methods.add(replaced);
    }
    ServerServiceDefinition.Builder result = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(result::addMethod);
    return result.build();
  }

  @SuppressWarnings("unchecked")
  private static <Q, R> ServerMethodDefinition<StreamRequest, R> withThisMarshaller(ServerMethodDefinition<Q, R> method) {
    ServerMethodDefinition<StreamRequest, R> stream = (ServerMethodDefinition<StreamRequest, R>) method;
    MethodDescriptor<StreamRequest, R> descriptor = stream.getMethodDescriptor();
    return ServerMethodDefinition.create(
        descriptor.toBuilder(new StreamRequestMarshaller(), descriptor.getResponseMarshaller()).build(),
        stream.getServerCallHandler());
  }

  @Override
  public InputStream stream(StreamRequest value) {
    return DEFAULT.stream(value);
  }

  @Override
  public StreamRequest parse(InputStream stream) {
    try {
      byte[] message = readMessage(stream);
      // Only an input over bytes it knows to be immutable aliases them: newInstance(byte[]) would copy the data.
      CodedInputStream input = UnsafeByteOperations.unsafeWrap(message).newCodedInput();
      input.enableAliasing(true);
      StreamRequest request = StreamRequest.parseFrom(input);
      ByteString data = request.getData();
      if (message.length - data.size() > MAX_ALIASED_EXTRA) {
        request = request.toBuilder().setData(ByteString.copyFrom(data.asReadOnlyByteBuffer())).build();
      }
      return request;
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL.withDescription("invalid StreamRequest: " + e.getMessage()).withCause(e)
          .asRuntimeException();
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("cannot read StreamRequest: " + e.getMessage()).withCause(e)
          .asRuntimeException();
    }
  }

  /** gRPC hands over a stream that knows its length: read straight into one array of that size. */
  private static byte[] readMessage(InputStream stream) throws IOException {
    if (!(stream instanceof KnownLength)) {
      return stream.readAllBytes();
    }
    byte[] message = new byte[stream.available()];
    int read = stream.readNBytes(message, 0, message.length);
    if (read < message.length || stream.read() != -1) {
      throw new IOException("message length changed while reading: announced " + message.length);
    }
    return message;
  }
}
