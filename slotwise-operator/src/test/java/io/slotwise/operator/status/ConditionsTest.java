package io.slotwise.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  Instant t1 = Instant.parse("2026-01-01T00:00:00Z");
  Instant t2 = Instant.parse("2026-01-01T00:05:00Z");
  Instant t3 = Instant.parse("2026-01-01T00:09:00Z");

  @Test
  void transitionTimeChangesOnlyWhenTheStatusChanges() {
    List<Condition> c = Conditions.set(List.of(), "Ready", false, "Forming", "forming", 1, t1);
    assertThat(Conditions.get(c, "Ready").getLastTransitionTime()).isEqualTo(t1.toString());

    c = Conditions.set(c, "Ready", false, "PodsNotReady", "2 pods not ready", 2, t2);
    Condition ready = Conditions.get(c, "Ready");
    assertThat(ready.getLastTransitionTime()).isEqualTo(t1.toString());
    assertThat(ready.getReason()).isEqualTo("PodsNotReady");
    assertThat(ready.getObservedGeneration()).isEqualTo(2);

    c = Conditions.set(c, "Ready", true, "ClusterHealthy", "ok", 2, t3);
    assertThat(Conditions.get(c, "Ready").getLastTransitionTime()).isEqualTo(t3.toString());
    assertThat(c).hasSize(1);
  }

  @Test
  void otherConditionsAreKept() {
    List<Condition> c = Conditions.set(List.of(), "Ready", true, "ClusterHealthy", "", 1, t1);
    c = Conditions.set(c, "Degraded", false, "AsExpected", "", 1, t2);
    c = Conditions.set(c, "Ready", true, "ClusterHealthy", "", 1, t3);
    assertThat(c).extracting(Condition::getType).containsExactly("Ready", "Degraded");
    assertThat(Conditions.get(c, "Ready").getLastTransitionTime()).isEqualTo(t1.toString());
  }
}
