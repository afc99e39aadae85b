package io.slotwise.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The committed CRD copies are the one the build generates from the annotated classes. */
class CrdDriftTest {

  static final String REFRESH = "mvn -B -q -pl slotwise-api process-classes -Dcrd.refresh";

  @ParameterizedTest
  @ValueSource(
      strings = {"deploy/crds/" + Crds.FILE_NAME, "charts/slotwise/crds/" + Crds.FILE_NAME})
  void committedCopyIsTheGeneratedCrd(String committed) throws Exception {
    Path copy = Crds.repoRoot().resolve(committed);
    String generated = Crds.generatedYaml();
    assertThat(Files.exists(copy))
        .as("%s is missing; create it with: %s", committed, REFRESH)
        .isTrue();
    assertThat(Files.readString(copy).equals(generated))
        .as(
            "%s differs from the CRD generated from slotwise-api (%s); refresh it with: %s",
            committed, Crds.GENERATED_RESOURCE, REFRESH)
        .isTrue();
  }
}
