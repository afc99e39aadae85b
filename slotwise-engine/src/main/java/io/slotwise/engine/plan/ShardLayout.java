package io.slotwise.engine.plan;

import io.slotwise.engine.topology.SlotSet;
import java.util.List;

/** A planned shard: its primary, the slots it owns and its replicas. */
public record ShardLayout(Candidate primary, SlotSet slots, List<Candidate> replicas) {}
