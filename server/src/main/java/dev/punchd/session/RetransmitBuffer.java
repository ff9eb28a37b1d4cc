package dev.punchd.session;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes sent but not yet acknowledged, by stream offset: at most {@code capacity} bytes of payload (the
 * chunks are slices of the application's messages, so the heap held is the payload plus a small overhead per
 * chunk). Not thread-safe: the owning {@link SessionLink}'s lock guards it.
 */
final class RetransmitBuffer {
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

  boolean hasRoomFor(int bytes) {
    return held + bytes <= capacity;
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
