package dev.punchd.testing;

import java.security.MessageDigest;
import java.util.SplittableRandom;

/** A reproducible stream of random bytes; {@link #digestOf} hashes the first N bytes of a seed's stream. */
public final class RandomBytes {
  private final SplittableRandom random;

  public RandomBytes(long seed) {
    this.random = new SplittableRandom(seed);
  }

  public byte[] next(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  /** SHA-256 of the first {@code total} bytes of seed's stream, generated in the same chunk sizes. */
  public static byte[] digestOf(long seed, long total, int chunkSize) {
    RandomBytes data = new RandomBytes(seed);
    MessageDigest digest = StreamClient.sha256();
    long done = 0;
    while (done < total) {
      int n = (int) Math.min(chunkSize, total - done);
      digest.update(data.next(n));
      done += n;
    }
    return digest.digest();
  }
}
