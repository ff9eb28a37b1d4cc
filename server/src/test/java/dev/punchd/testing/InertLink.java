package dev.punchd.testing;

import com.google.protobuf.ByteString;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.Link;
import dev.punchd.transport.PeerCloseReason;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A {@link Link} for unit tests that only read: writes, pings, keepalive, abort and close do nothing, the peer
 * never closes, both addresses are the wildcard. Subclasses give the reads. Thread-safety is the subclass's.
 */
public abstract class InertLink implements Link {

  @Override
  public void awaitPeerClose() throws IOException {}

  @Override
  public void keepAlive(Keepalive keepalive) {}

  @Override
  public void ping() {}

  @Override
  public void write(ByteString data) {}

  @Override
  public void finishOutput() {}

  @Override
  public void abort(PeerCloseReason reason, String message) {
    close();
  }

  @Override
  public InetSocketAddress localAddress() {
    return new InetSocketAddress(0);
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return new InetSocketAddress(0);
  }

  @Override
  public void close() {}
}
