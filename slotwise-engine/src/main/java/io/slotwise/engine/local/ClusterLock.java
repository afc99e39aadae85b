package io.slotwise.engine.local;

import io.slotwise.engine.execute.OperationTimeoutException;
import io.slotwise.engine.execute.Waiter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code home/name/cluster.lock}: held by the one Slotwise process that starts, heals or scales a
 * local cluster's nodes, so that two processes never start a {@code redis-server} on the same data
 * directory. An operating-system lock ({@link FileChannel#tryLock}): it goes away with the process
 * that held it, also after {@code kill -9}. Within one JVM there is one instance per cluster
 * folder, held by one thread at a time and reentrant for it.
 */
final class ClusterLock {
  static final String NAME = "cluster.lock";

  private static final ConcurrentMap<Path, ClusterLock> LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private final String cluster;
  private FileChannel channel;
  private FileLock lock;
  private Thread owner;
  private int holds;

  private ClusterLock(Path file, String cluster) {
    this.file = file;
    this.cluster = cluster;
  }

  /** The lock of the cluster in {@code clusterDir}. */
  static ClusterLock of(Path clusterDir, String cluster) {
    Path file = clusterDir.toAbsolutePath().normalize().resolve(NAME);
    return LOCKS.computeIfAbsent(file, f -> new ClusterLock(f, cluster));
  }

  /** Takes the lock if no other process, and no other thread of this one, holds it. */
  synchronized boolean tryAcquire() {
    if (holds > 0) {
      if (owner != Thread.currentThread()) {
        return false;
      }
      holds++;
      return true;
    }
    try {
      PrivateFiles.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeChannel();
      throw new LocalClusterException("cannot lock " + file + ": " + e.getMessage());
    }
    if (lock == null) {
      closeChannel();
      return false;
    }
    holds = 1;
    owner = Thread.currentThread();
    return true;
  }

  /** Takes the lock, waiting up to {@code wait} for another process to finish. */
  void acquire(Duration wait) {
    try {
      new Waiter(wait, Duration.ofMillis(50))
          .await(
              "for the lock on local cluster '" + cluster + "'",
              () -> tryAcquire() ? null : "another Slotwise process holds it");
    } catch (OperationTimeoutException e) {
      throw new LocalClusterException(
          LocalClusterException.Kind.BUSY,
          "local cluster '"
              + cluster
              + "' is busy: another Slotwise process is starting, healing or scaling its nodes"
              + " (waited "
              + wait.toSeconds()
              + " s); try again when it is done");
    }
  }

  synchronized void release() {
    if (holds == 0 || owner != Thread.currentThread()) {
      return;
    }
    if (--holds == 0) {
      try {
        lock.release();
      } catch (IOException ignored) {
        // closing the channel releases it too
      }
      lock = null;
      owner = null;
      closeChannel();
    }
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing held
      }
      channel = null;
    }
  }
}
