package dev.punchd.engine;

import java.util.ArrayDeque;

/**
 * Byte chunks in order, counted by the heap they hold rather than by their payload: a peer that sends a
 * million one-byte frames costs what it really costs. Not thread-safe: its owner's lock guards it.
 */
final class ChunkQueue {
  /** Heap per chunk beyond its payload: array header and alignment, the queue's slot, rounded up. */
  static final int CHUNK_OVERHEAD = 48;

  private ArrayDeque<byte[]> chunks = new ArrayDeque<>();
  private int heapBytes;

  static int heapCost(byte[] chunk) {
    return chunk.length + CHUNK_OVERHEAD;
  }

  void add(byte[] chunk) {
    chunks.add(chunk);
    heapBytes += heapCost(chunk);
  }

  /** The oldest chunk, removed; null when empty. */
  byte[] poll() {
    byte[] chunk = chunks.poll();
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
