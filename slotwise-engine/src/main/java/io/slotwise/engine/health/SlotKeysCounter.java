package io.slotwise.engine.health;

import io.slotwise.engine.observe.ClusterView;
import io.slotwise.engine.observe.NodeReport;
import io.slotwise.engine.observe.SlotKeys;
import io.slotwise.engine.redis.RedisAdmin;
import io.slotwise.engine.redis.SlotPipeline;
import io.slotwise.engine.redis.SlotPipeline.Reply;
import io.slotwise.engine.topology.HashSlots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the keys each reachable primary holds in every slot ({@code COUNTKEYSINSLOT} for all 16384
 * slots, pipelined, only on primaries whose {@code DBSIZE} is not zero). Only reads.
 */
public final class SlotKeysCounter {
  private SlotKeysCounter() {}

  public static SlotKeys count(RedisAdmin admin, ClusterView view) {
    Map<String, Map<Integer, Long>> out = new LinkedHashMap<>();
    for (NodeReport p : view.primaries()) {
      if (p.keys() == 0) {
        continue;
      }
      Map<Integer, Long> counts = new LinkedHashMap<>();
      try (SlotPipeline pipe = admin.pipeline(p.address())) {
        List<Reply<Long>> replies = new ArrayList<>(HashSlots.COUNT);
        for (int s = 0; s < HashSlots.COUNT; s++) {
          replies.add(pipe.countKeysInSlot(s));
        }
        for (int s = 0; s < HashSlots.COUNT; s++) {
          long n = replies.get(s).get();
          if (n > 0) {
            counts.put(s, n);
          }
        }
      }
      out.put(p.id(), counts);
    }
    return new SlotKeys(out);
  }
}
