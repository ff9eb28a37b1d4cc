package dev.punchd.testing;

import dev.punchd.v1.HolePunchGrpc;

/** A sidecar a test talks to, whichever way it is served. */
public interface SidecarApi {
  HolePunchGrpc.HolePunchBlockingStub blocking();

  HolePunchGrpc.HolePunchStub async();
}
