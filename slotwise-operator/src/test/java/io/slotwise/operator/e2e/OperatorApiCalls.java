package io.slotwise.operator.e2e;

import io.slotwise.operator.sim.ApiCall;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The API calls the operator made in every end-to-end test of this JVM so far: each {@link
 * OperatorHarness} adds its own when it closes. {@code RbacEvidenceIT} runs last (its class order)
 * and compares them with the permissions the chart grants.
 */
final class OperatorApiCalls {
  private static final Set<ApiCall> CALLS = ConcurrentHashMap.newKeySet();

  private OperatorApiCalls() {}

  static void add(Collection<ApiCall> calls) {
    CALLS.addAll(calls);
  }

  static Set<ApiCall> all() {
    return Set.copyOf(CALLS);
  }
}
