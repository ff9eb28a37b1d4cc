package dev.punchd.engine;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bytes received from the peer that the application has not taken yet, bounded in size: the reader
 * blocks when it is full, so the peer's sender is slowed by TCP flow control and nothing is dropped.
 * Ends either cleanly (the peer's FIN) or not at all (the connection was closed otherwise). Thread-safe.
 */
final class InboundBuffer {
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<byte[]> chunks = new ArrayDeque<>(); // guarded by lock
  private int bytes; // guarded by lock
  private boolean finished; // guarded by lock: the peer's FIN arrived
  private boolean closed; // guarded by lock: nothing more will be added
  private Runnable listener = () -> {}; // guarded by lock

  InboundBuffer(int capacity) {
    this.capacity = capacity;
  }

  /** Adds a chunk, waiting while the buffer is full; returns false if the buffer was closed meanwhile. */
  boolean put(byte[] chunk) throws InterruptedException {
    Runnable toNotify;
    lock.lock();
    try {
      while (bytes >= capacity && !closed) {
        notFull.await();
      }
      if (closed) {
        return false;
      }
      chunks.add(chunk);
      bytes += chunk.length;
      toNotify = listener;
    } finally {
      lock.unlock();
    }
    toNotify.run();
    return true;
  }

  /** The peer finished sending: after the chunks already here, the stream ends cleanly. */
  void finish() {
    end(true);
  }

  /** No more chunks will come (the connection ended); the chunks already here can still be taken. */
  void close() {
    end(false);
  }

  private void end(boolean clean) {
    Runnable toNotify;
    lock.lock();
    try {
      finished |= clean && !closed;
      closed = true;
      notFull.signalAll();
      toNotify = listener;
    } finally {
      lock.unlock();
    }
    toNotify.run();
  }

  /** Takes the oldest chunk, or null when none is waiting. */
  byte[] poll() {
    lock.lock();
    try {
      byte[] chunk = chunks.poll();
      if (chunk != null) {
        bytes -= chunk.length;
        notFull.signalAll();
      }
      return chunk;
    } finally {
      lock.unlock();
    }
  }

  /** True once the buffer is empty and nothing more will come. */
  boolean isDrained() {
    lock.lock();
    try {
      return closed && chunks.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** True when the peer's FIN arrived (whether or not the chunks before it have been taken). */
  boolean peerFinished() {
    lock.lock();
    try {
      return finished;
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

  /** Runs {@code listener} (outside the lock) whenever a chunk arrives or the buffer ends. */
  void setListener(Runnable newListener) {
    lock.lock();
    try {
      listener = newListener;
    } finally {
      lock.unlock();
    }
    newListener.run();
  }
}
