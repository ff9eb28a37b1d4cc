package dev.punchd.api;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Puts the API's Unix socket at its configured path without a moment in which anyone else could use it
 * and without taking the path from anyone. The server binds inside a fresh directory only the owner can
 * enter ({@link #bindPath}); {@link #publish} then makes the socket owner-only and hard-links it to the
 * configured path, which fails if the path exists (so two instances starting at once cannot both win).
 * A path that is already a socket someone answers on refuses the start; a stale socket (connecting is
 * refused) is replaced; anything else at the path (a file, a directory) is refused and left alone.
 * Not thread-safe: one start uses one instance.
 */
final class UnixSocketPath {
  private static final int SOCKET_TYPE_MASK = 0170000;
  private static final int SOCKET_TYPE = 0140000;

  private final Path target;
  private final Path privateDirectory;
  private final Path bindPath;
  private final boolean replacesStale;

  private UnixSocketPath(Path target, Path privateDirectory, boolean replacesStale) {
    this.target = target;
    this.privateDirectory = privateDirectory;
    this.bindPath = privateDirectory.resolve("s");
    this.replacesStale = replacesStale;
  }

  /**
   * Checks what is at {@code target} and makes the private directory to bind in.
   *
   * @throws IOException naming the path when another process serves on it or it is not a socket
   */
  static UnixSocketPath claim(Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    boolean stale = inspect(absolute);
    Path directory;
    try {
      directory = Files.createTempDirectory(absolute.getParent(), ".punchd",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (NoSuchFileException e) {
      throw new IOException("the directory of unix:" + absolute + " does not exist", e);
    }
    return new UnixSocketPath(absolute, directory, stale);
  }

  /** Where the server binds: inside a directory only this user can enter. */
  Path bindPath() {
    return bindPath;
  }

  /**
   * Makes the bound socket owner-only (0600), then links it to the configured path (replacing a stale
   * socket found by {@link #claim}) and removes the private directory.
   *
   * @throws IOException naming the path when another process took it meanwhile
   */
  void publish() throws IOException {
    try {
      Files.setPosixFilePermissions(bindPath, PosixFilePermissions.fromString("rw-------"));
      if (replacesStale && isSocket(target) && !answers(target)) {
        Files.deleteIfExists(target);
      }
      Files.createLink(target, bindPath);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("unix:" + target + " was taken by another process while punchd started", e);
    } finally {
      discard();
    }
  }

  /** Removes the private directory (after publishing, or when the server could not start). */
  void discard() throws IOException {
    Files.deleteIfExists(bindPath);
    Files.deleteIfExists(privateDirectory);
  }

  /** @return true when a stale socket is at the path; false when nothing is */
  private static boolean inspect(Path target) throws IOException {
    if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!isSocket(target)) {
      throw new IOException("unix:" + target + " exists and is not a socket (" + describe(target)
          + "): punchd leaves it alone; remove it or choose another --api path");
    }
    if (answers(target)) {
      throw new IOException("unix:" + target + " is in use: another process (another punchd?) accepts connections "
          + "on it; stop it or choose another --api path");
    }
    return true;
  }

  private static boolean isSocket(Path path) throws IOException {
    return Files.exists(path, LinkOption.NOFOLLOW_LINKS)
        && ((int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & SOCKET_TYPE_MASK) == SOCKET_TYPE;
  }

  /**
   * @return true when a connection succeeds, false when it is refused (a stale socket)
   * @throws IOException when it cannot be told (e.g. permission denied): the path is not punchd's to take
   */
  private static boolean answers(Path socket) throws IOException {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (ConnectException refused) {
      return false;
    } catch (IOException e) {
      throw new IOException("unix:" + socket + " is a socket punchd cannot probe (" + e.getMessage()
          + "): it may be in use; remove it or choose another --api path", e);
    }
  }

  private static String describe(Path path) throws IOException {
    BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attributes.isDirectory()) {
      return "a directory";
    }
    if (attributes.isSymbolicLink()) {
      return "a symbolic link";
    }
    return attributes.isRegularFile() ? "a regular file" : "a special file";
  }
}
