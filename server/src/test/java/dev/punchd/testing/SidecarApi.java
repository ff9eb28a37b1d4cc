package dev.punchd.testing;

import dev.punchd.v1.HolePunchGrpc;
import io.grpc.Channel;
import java.util.concurrent.TimeUnit;

/** A sidecar a test talks to, whichever way it is served: stubs over its channel. */
public interface SidecarApi {
  Channel channel();

  default HolePunchGrpc.HolePunchBlockingStub blocking() {
    return HolePunchGrpc.newBlockingStub(channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  default HolePunchGrpc.HolePunchStub async() {
    return HolePunchGrpc.newStub(channel());
  }

  static SidecarApi over(Channel channel) {
    return () -> channel;
  }
}
