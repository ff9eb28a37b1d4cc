package dev.punchd.engine;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Chunks the application sent, waiting for the connection's writer; the API's flow control (one request
 * per written chunk, a small window) keeps it short. The finish marker sends FIN after all chunks.
 * Thread-safe.
 */
final class OutboundQueue {
  /** Returned by {@link #take()} after the application half-closed and every chunk was taken. */
  static final byte[] FINISH = new byte[0];

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(); // guarded by lock
  private int bytes; // guarded by lock
  private boolean finishing; // guarded by lock
  private boolean closed; // guarded by lock

  /** Queues a chunk; false if the application already half-closed or the connection ended. */
  boolean offer(byte[] chunk) {
    lock.lock();
    try {
      if (finishing || closed) {
        return false;
      }
      chunks.add(chunk);
      bytes += chunk.length;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Queues the half-close; false if it was queued before or the connection ended. */
  boolean finish() {
    lock.lock();
    try {
      if (finishing || closed) {
        return false;
      }
      finishing = true;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean isFinishing() {
    lock.lock();
    try {
      return finishing;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for the next chunk; {@link #FINISH} after a half-close, null once closed. The chunk stays counted
   * in {@link #bufferedBytes()} until {@link #written(byte[])}.
   */
  byte[] take() throws InterruptedException {
    lock.lock();
    try {
      while (chunks.isEmpty() && !finishing && !closed) {
        changed.await();
      }
      if (closed) {
        return null;
      }
      byte[] chunk = chunks.poll();
      return chunk != null ? chunk : FINISH;
    } finally {
      lock.unlock();
    }
  }

  /** The writer finished with a chunk from {@link #take()}. */
  void written(byte[] chunk) {
    lock.lock();
    try {
      bytes -= chunk.length;
    } finally {
      lock.unlock();
    }
  }

  void close() {
    lock.lock();
    try {
      closed = true;
      chunks.clear();
      bytes = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  int bufferedBytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }
}
