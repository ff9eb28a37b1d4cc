package dev.punchd.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.Set;

/**
 * The outcome of {@link SharedPort#dialOpener}: connected by the peer's SYN within the hold, or still in
 * SYN-SENT, holding our NAT's flow open until the next dial replaces it
 * ({@link SharedPort#dial(Socket, java.net.InetSocketAddress, int, OpenerDial)}) or it is closed, which in
 * SYN-SENT sends nothing. Keeping it open until the replacing dial starts matters: while no socket of ours is
 * in SYN-SENT on the tuple the peer's SYN reaches the listener, whose SYN-ACK of another sequence number the
 * NAT drops, and that leaves the NAT's entry in a state that drops or refuses every later SYN on the tuple
 * (natlab: a punch failed so, both sides timing out). Until then {@link SharedPort#stopPunching()} closes it
 * like any dial in flight. Not thread-safe; {@link #close()} is idempotent.
 */
public final class OpenerDial implements Closeable {
  private final Socket connected; // the socket the peer's SYN completed within the hold, else null
  private final Set<Socket> dialing; // the port's dials in flight, which hold this one's socket until it ends
  private SocketChannel held; // in SYN-SENT, until finished or closed

  OpenerDial(SocketChannel channel, boolean connected, Set<Socket> dialing) {
    this.connected = connected ? channel.socket() : null;
    this.held = connected ? null : channel;
    this.dialing = dialing;
  }

  /** The connected socket (blocking) when the peer's SYN completed the opener dial within the hold. */
  public Optional<Socket> connected() {
    return Optional.ofNullable(connected);
  }

  /**
   * Completes the held dial if the peer's SYN has completed it since the hold ended (the socket then blocks
   * like any dialled one); else closes it. Returns the connected socket, or empty once closed.
   */
  Optional<Socket> finishOrClose() {
    SocketChannel channel = held;
    if (channel == null) {
      return Optional.empty();
    }
    held = null;
    dialing.remove(channel.socket());
    try {
      if (channel.finishConnect()) {
        channel.configureBlocking(true);
        return Optional.of(channel.socket());
      }
    } catch (IOException e) {
      // refused or reset since the hold: closed below, the next dial goes as planned
    }
    closeQuietly(channel);
    return Optional.empty();
  }

  /** Closes the held dial (nothing is sent in SYN-SENT); a connected one is the caller's to close. */
  @Override
  public void close() {
    SocketChannel channel = held;
    if (channel != null) {
      held = null;
      dialing.remove(channel.socket());
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // a dial in SYN-SENT has nothing to report on close
    }
  }
}
