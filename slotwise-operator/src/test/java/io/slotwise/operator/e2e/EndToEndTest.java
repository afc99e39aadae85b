package io.slotwise.operator.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every end-to-end class shares: a folder and one {@link OperatorHarness} for the class,
 * started by the class's own {@code @BeforeAll} (each chooses its operator settings) and closed
 * after its last test. Classes run one after another, so the static harness is the running class's.
 */
abstract class EndToEndTest {
  @TempDir static Path dir;
  static OperatorHarness k8s;

  @AfterAll
  static void closeHarness() {
    if (k8s != null) {
      try {
        k8s.close();
      } finally {
        k8s = null;
      }
    }
  }
}
