package dev.punchd.engine;

import com.google.protobuf.ByteString;
import java.util.ArrayDeque;

/**
 * Byte chunks in order, counted by the heap they hold rather than by their payload: a peer that sends a
 * million one-byte frames costs what it really costs. Chunks are immutable and as large as their backing
 * arrays, give or take a message's few header bytes (the pipe copies a read that did not fill its buffer; the
 * API's parser aliases only a message that is all data), so size plus overhead is their heap.
 * Not thread-safe: its owner's lock guards it.
 */
final class ChunkQueue {
  /**
   * Heap per chunk beyond its payload: the ByteString (a slice of a request message is the larger kind),
   * array header and alignment, up to 8 bytes of a request's field header, the queue's slot; rounded up.
   */
  static final int CHUNK_OVERHEAD = 64;

  private ArrayDeque<ByteString> chunks = new ArrayDeque<>();
  private int heapBytes;

  static int heapCost(ByteString chunk) {
    return chunk.size() + CHUNK_OVERHEAD;
  }

  void add(ByteString chunk) {
    chunks.add(chunk);
    heapBytes += heapCost(chunk);
  }

  /** The oldest chunk, removed; null when empty. */
  ByteString poll() {
    ByteString chunk = chunks.poll();
    if (chunk != null) {
      heapBytes -= heapCost(chunk);
    }
    return chunk;
  }

  boolean isEmpty() {
    return chunks.isEmpty();
  }

  int heapBytes() {
    return heapBytes;
  }

  /** Drops every chunk and the queue's grown storage with them. */
  void clear() {
    chunks = new ArrayDeque<>();
    heapBytes = 0;
  }
}
