package io.slotwise.engine.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files and folders only their owner can read: a local cluster's folders are {@code 0700} and the
 * files that hold its password ({@code redis.conf}, {@code cluster.properties}) are {@code 0600}
 * from the moment they exist. A file is written to a fresh sibling created with those permissions
 * and then moved over the old one, so no reader ever sees it with wider permissions or half
 * written.
 */
final class PrivateFiles {
  private PrivateFiles() {}

  /** Creates {@code dir} and any missing parents as {@code 0700}. */
  static void createDirectories(Path dir) throws IOException {
    Files.createDirectories(
        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
  }

  /** Replaces {@code file} with {@code content} (UTF-8), created {@code 0600}, forced to disk. */
  static void write(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
