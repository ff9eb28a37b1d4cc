package dev.punchd.bench.scale;

import com.google.protobuf.ByteString;
import dev.punchd.bench.app.AppStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One application end of one connection in the mixed-traffic run: sends random bytes in its profile's pattern
 * until told to stop, hashing what it sent; its {@link AppStream} hashes what it receives. {@link #sendUntil}
 * runs on one thread; the rest is read after that thread ended.
 */
final class TrafficEnd {
  /** How a connection's applications talk. */
  enum Profile {
    /** Back-to-back 64 KiB messages, as fast as flow control allows. */
    BULK,
    /** Messages of 64 B to 16 KiB (log-uniform) with 50-950 ms pauses: interactive traffic. */
    CHATTY
  }

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

  private final AppStream stream;
  private final Profile profile;
  private final SplittableRandom random;
  private final MessageDigest sentDigest = AppStream.sha256();
  private long sentBytes;
  private byte[] sentSha256;

  TrafficEnd(AppStream stream, Profile profile, long seed) {
    this.stream = stream;
    this.profile = profile;
    this.random = new SplittableRandom(seed);
  }

  void sendUntil(AtomicBoolean stop) throws Exception {
    try {
      sendMessagesUntil(stop);
    } finally {
      sentSha256 = sentDigest.digest();
    }
  }

  private void sendMessagesUntil(AtomicBoolean stop) throws Exception {
    while (!stop.get()) {
      byte[] message = new byte[profile == Profile.BULK ? 64 << 10 : (int) Math.pow(2, random.nextDouble(6, 14))];
      random.nextBytes(message);
      sentDigest.update(message);
      stream.send(ByteString.copyFrom(message), SEND_TIMEOUT);
      sentBytes += message.length;
      if (profile == Profile.CHATTY) {
        Thread.sleep(random.nextLong(50, 950)); // the application's think time, not synchronisation
      }
    }
  }

  AppStream stream() {
    return stream;
  }

  long sentBytes() {
    return sentBytes;
  }

  /** SHA-256 of every byte sent (after {@link #sendUntil} returned). */
  byte[] sentDigest() {
    return sentSha256;
  }
}
