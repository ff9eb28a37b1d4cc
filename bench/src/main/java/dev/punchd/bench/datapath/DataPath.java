package dev.punchd.bench.datapath;

/**
 * A byte path from application end A to application end B, opened either to count what B receives
 * (throughput) or to echo it back to A (ping-pong). Used by one benchmark thread at a time.
 */
public interface DataPath extends AutoCloseable {
  /** Application writes and reads in chunks of this size on every path. */
  int CHUNK_BYTES = 64 << 10;

  /** What carries the bytes. */
  enum Kind {
    /** A plain TCP socket pair on loopback: the baseline. */
    TCP,
    /** app -> sidecar -> punched TCP (RAW mode) -> sidecar -> app, through the Stream RPC. */
    RAW,
    /** The same as RAW with TLS 1.3 and nomination (SECURE mode). */
    SECURE
  }

  static DataPath open(Kind kind, boolean echo) throws Exception {
    return kind == Kind.TCP ? TcpPath.open(echo) : PunchdPath.open(kind, echo);
  }

  /** Sends {@code bytes} from A and returns once B has received them all. */
  void transfer(long bytes) throws Exception;

  /** Sends {@code message} from A and returns once B's echo of all of it is back at A. */
  void pingPong(byte[] message) throws Exception;
}
