package io.slotwise.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets a condition in a list the way Kubernetes expects: {@code lastTransitionTime} changes only
 * when the condition's status changes; a new reason or message alone keeps the old time.
 */
public final class Conditions {
  private Conditions() {}

  public static List<Condition> set(
      List<Condition> current,
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      Instant now) {
    List<Condition> out = new ArrayList<>();
    String value = status ? "True" : "False";
    boolean replaced = false;
    for (Condition c : current == null ? List.<Condition>of() : current) {
      if (!type.equals(c.getType())) {
        out.add(c);
        continue;
      }
      String since = value.equals(c.getStatus()) ? c.getLastTransitionTime() : now.toString();
      out.add(condition(type, value, reason, message, generation, since));
      replaced = true;
    }
    if (!replaced) {
      out.add(condition(type, value, reason, message, generation, now.toString()));
    }
    return out;
  }

  public static Condition get(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static Condition condition(
      String type, String status, String reason, String message, long generation, String since) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }
}
