package dev.punchd.discovery.stun;

import dev.punchd.engine.HostPort;
import dev.punchd.stun.Dialer;
import dev.punchd.stun.StunAttributes;
import dev.punchd.stun.StunClass;
import dev.punchd.stun.StunMessage;
import dev.punchd.stun.StunMethod;
import dev.punchd.stun.StunServerException;
import dev.punchd.stun.StunStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * Asks a STUN server over TCP which address it sees (RFC 8489 Binding): one connection per request, opened
 * by the given {@link Dialer} (from a connection's shared port, so that the answer is that port's NAT
 * mapping), closed after the response. The whole exchange, connect included, is bounded by the timeout.
 * Thread-safe (stateless apart from its settings).
 */
public final class StunBindingClient {
  private final Dialer dialer;
  private final Duration timeout;

  public StunBindingClient(Dialer dialer, Duration timeout) {
    this.dialer = dialer;
    this.timeout = timeout;
  }

  /**
   * Sends one Binding request to {@code server} and returns what it observed.
   *
   * @throws StunServerException naming the server when it cannot be reached, does not answer in time,
   *     answers with an error, or answers without a usable XOR-MAPPED-ADDRESS
   */
  public BindingResult bind(InetSocketAddress server) throws StunServerException {
    String name = "stun://" + HostPort.format(server);
    long start = System.nanoTime();
    Socket socket;
    try {
      socket = dialer.dial(server, (int) Math.max(1, timeout.toMillis()));
    } catch (IOException e) {
      throw new StunServerException(name, "cannot connect over TCP", null, e);
    }
    try (StunStream stream = new StunStream(socket)) {
      Duration left = timeout.minusNanos(System.nanoTime() - start);
      if (left.isNegative() || left.isZero()) {
        throw new StunServerException(name, "connected, but no time left for the Binding within " + timeout);
      }
      StunMessage request = StunMessage.request(StunMethod.BINDING).build();
      long sent = System.nanoTime();
      StunMessage response = stream.exchange(request, null, left).message();
      Duration roundTrip = Duration.ofNanos(System.nanoTime() - sent);
      if (response.type() == StunClass.ERROR) {
        throw new StunServerException(name, "Binding refused", response.error().orElse(null), null);
      }
      Optional<InetSocketAddress> mapped = response.address(StunAttributes.XOR_MAPPED_ADDRESS);
      if (mapped.isEmpty()) {
        mapped = response.address(StunAttributes.MAPPED_ADDRESS);
      }
      if (mapped.isEmpty()) {
        throw new StunServerException(name, "Binding response without XOR-MAPPED-ADDRESS");
      }
      InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
      return new BindingResult(server, local, mapped.get(), response.address(StunAttributes.OTHER_ADDRESS),
          roundTrip);
    } catch (SocketTimeoutException e) {
      throw new StunServerException(name, "no Binding response within " + timeout, null, null);
    } catch (StunServerException e) {
      throw e;
    } catch (IOException e) {
      throw new StunServerException(name, "Binding failed", null, e);
    }
  }
}
