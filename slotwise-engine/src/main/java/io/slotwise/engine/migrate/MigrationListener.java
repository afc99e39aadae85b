package io.slotwise.engine.migrate;

import io.slotwise.engine.execute.KeyConflict;

/** Hears how a migration advances; called from worker threads. */
public interface MigrationListener {
  MigrationListener NONE = new MigrationListener() {};

  /** Slots of one group were opened on both sides (before any key of them moved). */
  default void opened(int slots) {}

  /** Keys and bytes that one MIGRATE batch moved. */
  default void moved(long keys, long bytes) {}

  /** A group of slots now belongs to its target on target and source (others may follow). */
  default void slotsDone(int slots) {}

  /** Something worth saying that does not stop the migration. */
  default void warning(String message) {}

  /**
   * A key existed on both sides with different values; the source's copy won. Also given as a
   * {@link #warning}.
   */
  default void conflict(KeyConflict conflict) {}
}
