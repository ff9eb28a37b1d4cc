package dev.punchd.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.punchd.testing.Awaiting;
import dev.punchd.testing.RandomBytes;
import dev.punchd.transport.Abortable;
import dev.punchd.transport.Keepalive;
import dev.punchd.transport.Link;
import dev.punchd.transport.PeerCloseReason;
import dev.punchd.transport.RawLink;
import io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A RAW connection carried by an event loop ({@link LoopPump}), against a plain socket as the peer. */
class LoopPumpTest {
  private static final int CAPACITY = 256 * 1024;
  private static final Keepalive KEEPALIVE = new Keepalive(Duration.ofSeconds(15), Duration.ofSeconds(45));
  private static final Duration BOUND = Duration.ofSeconds(30);

  private final ReentrantLock lock = new ReentrantLock();
  private final CompletableFuture<Void> inputFinished = new CompletableFuture<>();
  private final CompletableFuture<Void> outputFinished = new CompletableFuture<>();
  private final CompletableFuture<IOException> broken = new CompletableFuture<>();
  private EventLoops loops;
  private Socket peer;
  private RawLink link;
  private DataPipe pipe;
  private Abortable ends;

  @BeforeEach
  void connect() throws IOException {
    loops = EventLoops.start(2); // two, whatever the machine: a connection moves between them
    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      // small kernel buffers, so that a peer writing more than the pipe holds is soon held up by TCP
      listener.setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      peer = new Socket();
      peer.setSendBufferSize(64 * 1024);
      peer.connect(listener.getLocalAddress(), 5_000);
      link = new RawLink(listener.accept().socket()); // a channel's socket, as SharedPort makes them
    }
    pipe = new DataPipe("test", CAPACITY, new DataPipe.Owner() {
      @Override
      public void outputFinished() {
        outputFinished.complete(null);
      }

      @Override
      public void inputFinished() {
        inputFinished.complete(null);
      }

      @Override
      public void broken(IOException cause) {
        broken.complete(cause);
      }
    }, EngineMetrics.NONE, lock);
    ends = pipe.start(link, KEEPALIVE, loops);
  }

  @AfterEach
  void close() throws IOException {
    ends.close();
    peer.close();
    loops.close();
  }

  @Test
  void aRawLinkMovesToTheLoopAndItsOwnCloseNoLongerTouchesTheSocket() throws Exception {
    assertThat(ends).as("what ends the connection is the loop's channel, not the link")
        .isNotInstanceOf(Link.class);
    link.close(); // the descriptor is the channel's now: this must not close it

    pipe.send(ByteString.copyFromUtf8("still here"));

    assertThat(readExactly(peer.getInputStream(), 10)).isEqualTo("still here".getBytes());
  }

  @Test
  void bytesArriveWholeAndInOrderBothWays() throws Exception {
    byte[] toPeer = new RandomBytes(1).next(4 * 1024 * 1024 + 17);
    byte[] fromPeer = new RandomBytes(2).next(3 * 1024 * 1024 + 5);
    CompletableFuture<byte[]> peerRead = CompletableFuture.supplyAsync(() -> {
      try {
        return readExactly(peer.getInputStream(), toPeer.length);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    CompletableFuture<Void> peerWrote = CompletableFuture.runAsync(() -> {
      try {
        peer.getOutputStream().write(fromPeer);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });

    for (int offset = 0; offset < toPeer.length; offset += 64 * 1024) {
      ByteString piece = ByteString.copyFrom(toPeer, offset, Math.min(64 * 1024, toPeer.length - offset));
      Awaiting.until(BOUND, "room in the outbound queue", () -> pipe.queuedForPeer() < DataPipe.SEND_WINDOW);
      assertThat(pipe.send(piece)).isTrue();
    }
    byte[] received = takeReceived(fromPeer.length);

    assertThat(peerRead.get(30, TimeUnit.SECONDS)).isEqualTo(toPeer);
    peerWrote.get(30, TimeUnit.SECONDS);
    assertThat(received).isEqualTo(fromPeer);
    assertThat(broken).isNotDone();
  }

  /** A Stream that takes nothing stops the reading (TCP then slows the peer); taking resumes it, losing nothing. */
  @Test
  void aFullInboundQueueStopsReadingUntilBytesAreTaken() throws Exception {
    byte[] fromPeer = new RandomBytes(3).next(16 * CAPACITY);
    CompletableFuture<Void> peerWrote = CompletableFuture.runAsync(() -> {
      try {
        peer.getOutputStream().write(fromPeer);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    int[] last = {-1};
    Awaiting.until(BOUND, "reading to stop at a full queue", () -> {
      int now = pipe.bufferedBytes();
      boolean stalled = now == last[0] && now >= CAPACITY;
      last[0] = now;
      return stalled;
    });

    assertThat(pipe.bufferedBytes()).isLessThanOrEqualTo(CAPACITY + DataPipe.MAX_READ + ChunkQueue.CHUNK_OVERHEAD);
    assertThat(peerWrote).as("the peer is held up by TCP").isNotDone();
    assertThat(takeReceived(fromPeer.length)).isEqualTo(fromPeer);
    peerWrote.get(30, TimeUnit.SECONDS);
  }

  @Test
  void halfClosesTravelBothWays() throws Exception {
    peer.getOutputStream().write(new byte[] {1, 2, 3});
    peer.shutdownOutput();

    inputFinished.get(30, TimeUnit.SECONDS);
    assertThat(pipe.peerFinished()).isTrue();
    assertThat(takeReceived(3)).containsExactly(1, 2, 3);
    assertThat(pipe.receivedAll()).isTrue();

    pipe.send(ByteString.copyFrom(new byte[] {4, 5}));
    pipe.finishSending();
    outputFinished.get(30, TimeUnit.SECONDS);
    InputStream in = peer.getInputStream();
    assertThat(readExactly(in, 2)).containsExactly(4, 5);
    assertThat(in.read()).as("the FIN after the bytes").isEqualTo(-1);
    assertThat(broken).isNotDone();
  }

  @Test
  void abortResetsTheConnection() throws Exception {
    ends.abort(PeerCloseReason.APPLICATION, "test");

    assertThatThrownBy(() -> peer.getInputStream().read()).isInstanceOf(SocketException.class)
        .hasMessageContaining("reset");
  }

  @Test
  void aResetByThePeerBreaksTheConnection() throws Exception {
    peer.setSoLinger(true, 0);
    peer.close();

    assertThat(broken.get(30, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
  }

  /**
   * Its bytes cross no thread once it has moved (reads in flight may still finish on the old loop): sinks hear
   * of them on the loop of the thread that attached them.
   */
  @Test
  void theConnectionFollowsItsStreamToTheLoopThatAttachedIt() throws Exception {
    OutputStream toUs = peer.getOutputStream();
    InputStream fromUs = peer.getInputStream();
    for (EventExecutor loop : loops.group().orElseThrow()) {
      Set<Thread> toldOn = ConcurrentHashMap.newKeySet();
      StreamSink sink = new StreamSink() {
        @Override
        public void onReceivable() {
          toldOn.add(Thread.currentThread());
        }

        @Override
        public void onSent() {}
      };
      loop.submit(() -> pipe.attach(sink)).get(30, TimeUnit.SECONDS);

      Awaiting.until(BOUND, "the bytes to arrive on the attaching loop", () -> {
        toldOn.clear();
        try {
          toUs.write(7);
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
        takeReceived(1);
        return !toldOn.isEmpty() && toldOn.stream().allMatch(loop::inEventLoop);
      });
      pipe.send(ByteString.copyFrom(new byte[] {1, 2}));
      assertThat(readExactly(fromUs, 2)).containsExactly(1, 2);
      pipe.detach(sink);
    }
    assertThat(broken).isNotDone();
  }

  private byte[] takeReceived(int length) {
    ByteArrayOutputStream taken = new ByteArrayOutputStream();
    Awaiting.until(BOUND, length + " bytes taken", () -> {
      ByteString chunk;
      while ((chunk = pipe.pollReceived()) != null) {
        taken.writeBytes(chunk.toByteArray());
      }
      return taken.size() >= length;
    });
    return taken.toByteArray();
  }

  private static byte[] readExactly(InputStream in, int length) throws IOException {
    byte[] bytes = in.readNBytes(length);
    if (bytes.length < length) {
      throw new IOException("the stream ended after " + bytes.length + " of " + length + " bytes");
    }
    return bytes;
  }
}
