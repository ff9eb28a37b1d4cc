package dev.punchd.transport;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SocketChannel;

/**
 * The file descriptor under a {@link SocketChannel}, for the native socket calls {@code java.net} lacks. The JDK
 * hides it: reaching it needs the JVM option {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} (in
 * punchd.jar's manifest and the tests' JVM options). Stateless and thread-safe.
 */
final class SocketDescriptors {
  private static final MethodHandle DESCRIPTOR_OF; // SocketChannel -> int; null when out of reach
  private static final String UNREACHABLE; // why, when it is

  static {
    MethodHandle handle = null;
    String why = null;
    try {
      Class<?> selectable = Class.forName("sun.nio.ch.SelChImpl");
      handle = MethodHandles.lookup().findVirtual(selectable, "getFDVal", MethodType.methodType(int.class))
          .asType(MethodType.methodType(int.class, SocketChannel.class));
    } catch (ReflectiveOperationException | IllegalArgumentException e) {
      why = "a socket's descriptor is out of reach (" + e
          + "): run the JVM with --add-exports java.base/sun.nio.ch=ALL-UNNAMED";
    }
    DESCRIPTOR_OF = handle;
    UNREACHABLE = why;
  }

  private SocketDescriptors() {}

  /** Null when descriptors can be reached, else why not. */
  static String unreachable() {
    return UNREACHABLE;
  }

  /**
   * The descriptor of {@code channel}.
   *
   * @throws IOException when descriptors are out of reach, or the channel has none (closed)
   */
  static int of(SocketChannel channel) throws IOException {
    if (DESCRIPTOR_OF == null) {
      throw new IOException(UNREACHABLE);
    }
    int descriptor;
    try {
      descriptor = (int) DESCRIPTOR_OF.invokeExact(channel);
    } catch (Throwable e) {
      throw new IOException("no descriptor for " + channel + ": " + e, e);
    }
    if (descriptor < 0) {
      throw new IOException("no descriptor for " + channel + ": closed");
    }
    return descriptor;
  }
}
