package dev.punchd.session;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes sent but not yet acknowledged, by stream offset, counted in heap bytes: payload plus
 * {@link #CHUNK_OVERHEAD} per chunk, at most {@code capacity} (so an application that sends one byte at a time
 * cannot make a window of payload into a heap many times its size). The chunks are slices of the
 * application's messages, not copies. Allocates nothing up front. Not thread-safe: the owning
 * {@link SessionLink}'s lock guards it.
 */
final class RetransmitBuffer {
  /** Heap a kept chunk costs beside its payload: the slice object and its slot in the deque, about. */
  static final int CHUNK_OVERHEAD = 64;
  private final int capacity;
  private final ArrayDeque<ByteString> chunks = new ArrayDeque<>();
  private long start; // offset of the first retained byte
  private long end; // offset after the last byte sent
  private long held; // end - start

  RetransmitBuffer(int capacity) {
    if (capacity < SessionFrames.MAX_DATA) {
      throw new IllegalArgumentException("retransmit capacity must hold one frame (" + SessionFrames.MAX_DATA
          + " bytes), got " + capacity);
    }
    this.capacity = capacity;
  }

  long start() {
    return start;
  }

  long end() {
    return end;
  }

  long held() {
    return held;
  }

  /** Heap bytes held: the payload plus the overhead of each chunk. */
  long heap() {
    return held + (long) chunks.size() * CHUNK_OVERHEAD;
  }

  /**
   * Whether a chunk of {@code bytes} may be added while at most {@code limit} (and the capacity) heap bytes
   * are held; always true when nothing is held, so a window below one chunk's cost still moves.
   */
  boolean fits(int bytes, int limit) {
    return chunks.isEmpty() || heap() + bytes + CHUNK_OVERHEAD <= Math.min(capacity, limit);
  }

  void add(ByteString chunk) {
    chunks.add(chunk);
    end += chunk.size();
    held += chunk.size();
  }

  /**
   * Forgets every byte below {@code offset}, which the peer has received.
   *
   * @throws SessionProtocolException when the peer claims bytes never sent
   */
  void acknowledge(long offset) throws SessionProtocolException {
    if (offset > end) {
      throw new SessionProtocolException("peer acknowledged offset " + offset + " beyond the " + end
          + " bytes sent");
    }
    while (start < offset) {
      ByteString first = chunks.peek();
      long drop = offset - start;
      if (drop >= first.size()) {
        chunks.poll();
        start += first.size();
      } else {
        chunks.poll();
        chunks.addFirst(first.substring((int) drop));
        start += drop;
      }
    }
    held = end - start;
  }

  /** The retained bytes from {@code offset} on (after {@link #acknowledge} of that offset: all of them). */
  List<ByteString> from(long offset) throws SessionProtocolException {
    if (offset < start || offset > end) {
      throw new SessionProtocolException("peer resumes at offset " + offset + ", outside the retained "
          + start + ".." + end);
    }
    List<ByteString> out = new ArrayList<>(chunks.size());
    long at = start;
    for (ByteString chunk : chunks) {
      long chunkEnd = at + chunk.size();
      if (chunkEnd > offset) {
        out.add(at >= offset ? chunk : chunk.substring((int) (offset - at)));
      }
      at = chunkEnd;
    }
    return out;
  }
}
