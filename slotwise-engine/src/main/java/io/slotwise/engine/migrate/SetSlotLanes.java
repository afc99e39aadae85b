package io.slotwise.engine.migrate;

import io.slotwise.engine.redis.NodeDirectory;
import io.slotwise.engine.redis.RedisAdminException;
import io.slotwise.engine.redis.RedisErrorKind;
import io.slotwise.engine.redis.SlotPipeline;
import io.slotwise.engine.redis.SlotPipeline.Reply;
import io.slotwise.engine.topology.NodeAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The connections on which a pair sends {@code CLUSTER SETSLOT} to one node.
 *
 * <p>Valkey 8 holds each {@code SETSLOT} on a primary with replicas until the replicas have taken
 * it, and a connection's next command waits behind the held one: on one connection a group's
 * SETSLOTs cost a replica round trip each. Valkey asks its replicas for an acknowledgement once per
 * event-loop cycle for all the clients that wait, so SETSLOTs on separate connections are released
 * together. A batch is therefore spread over several lanes, slot {@code i} of the batch on lane
 * {@code i % lanes}: a group costs about one round trip per {@code group / lanes} slots. Redis (and
 * Valkey before 8) answer at once, so one lane, the pair's own pipeline, serves them: pipelined, a
 * batch costs one round trip there already, and extra connections would only cost their opening.
 *
 * <p>Order between slots does not matter (each SETSLOT is about its slot only); the order that
 * makes a move safe is kept by the caller, which waits for a batch's replies before it sends the
 * next step of the same slots. A lane that was closed (Valkey 8 closes a connection after answering
 * {@code UNBLOCKED}, when the primary turned replica meanwhile) is opened again for the next batch;
 * the commands it had carried fail unanswered and the caller judges them as it would on one
 * connection. A lane that cannot be opened again answers its commands with the connection failure.
 */
final class SetSlotLanes implements AutoCloseable {
  /** Lanes per node that holds SETSLOT for its replicas; a 64-slot group costs 4 round trips. */
  static final int LANES_WHEN_HELD = 16;

  private final NodeDirectory admin;
  private final NodeAddress node;
  private final SlotPipeline shared;
  private final SlotPipeline[] lanes;
  private final List<List<Reply<String>>> carried;

  private SetSlotLanes(NodeDirectory admin, NodeAddress node, SlotPipeline shared, int count) {
    this.admin = admin;
    this.node = node;
    this.shared = shared;
    this.lanes = new SlotPipeline[count];
    this.carried = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      carried.add(new ArrayList<>());
    }
  }

  /** One lane: the pair's own pipeline to the node, which stays the caller's to close. */
  static SetSlotLanes single(NodeDirectory admin, SlotPipeline pipeline) {
    SetSlotLanes l = new SetSlotLanes(admin, pipeline.address(), pipeline, 1);
    l.lanes[0] = pipeline;
    return l;
  }

  /**
   * {@code count} dedicated lanes to the node, opened when first needed and closed by {@link
   * #close}.
   */
  static SetSlotLanes dedicated(NodeDirectory admin, NodeAddress node, int count) {
    return new SetSlotLanes(admin, node, null, count);
  }

  /**
   * Whether the node holds {@code SETSLOT} until its replicas have it, from its {@code INFO
   * server}: Valkey 8 and later.
   */
  static boolean holdsSetSlot(Map<String, String> server) {
    if (!"valkey".equals(server.get("server_name"))) {
      return false;
    }
    String version = server.getOrDefault("valkey_version", "");
    int dot = version.indexOf('.');
    try {
      return Integer.parseInt(dot < 0 ? version : version.substring(0, dot)) >= 8;
    } catch (NumberFormatException e) {
      // A Valkey that names no version it can be judged by is assumed to be a new one.
      return true;
    }
  }

  int count() {
    return lanes.length;
  }

  NodeAddress node() {
    return node;
  }

  /**
   * Issues {@code CLUSTER SETSLOT slot state [nodeId]} for each slot, slot {@code i} on lane {@code
   * i % count}, and sends them: the replies, in the order of {@code slots}, arrive without waiting
   * for each other.
   */
  List<Reply<String>> issue(List<Integer> slots, String state, String nodeId) {
    if (lanes.length == 1) {
      // One lane (a node that answers SETSLOT at once): the whole batch in one call where the
      // node runs scripts (SlotPipeline.setSlots).
      ready(0);
      List<Reply<String>> replies = lanes[0].setSlots(slots, state, nodeId, false);
      carried.get(0).addAll(replies);
      lanes[0].flush();
      return replies;
    }
    return issue(slots, (p, s) -> p.setSlots(List.of(s), state, nodeId, true).get(0));
  }

  /** Issues {@code command} for each slot, slot {@code i} on lane {@code i % count}. */
  List<Reply<String>> issue(
      List<Integer> slots, BiFunction<SlotPipeline, Integer, Reply<String>> command) {
    List<Reply<String>> replies = new ArrayList<>(slots.size());
    int used = Math.min(lanes.length, slots.size());
    RedisAdminException[] unopened = new RedisAdminException[used];
    for (int l = 0; l < used; l++) {
      try {
        ready(l);
      } catch (RedisAdminException e) {
        unopened[l] = e;
      }
    }
    for (int i = 0; i < slots.size(); i++) {
      int l = i % lanes.length;
      Reply<String> r =
          unopened[l] != null
              ? Reply.failed(node, "CLUSTER SETSLOT " + slots.get(i), unopened[l])
              : command.apply(lanes[l], slots.get(i));
      carried.get(l).add(r);
      replies.add(r);
    }
    for (int l = 0; l < used; l++) {
      if (unopened[l] == null) {
        lanes[l].flush();
      }
    }
    return replies;
  }

  /** Opens lane {@code l} if it never was, or again if it was closed since its last batch. */
  private void ready(int l) {
    SlotPipeline lane = lanes[l];
    List<Reply<String>> before = carried.get(l);
    if (lane != null && lane.isOpen() && !lostConnection(before)) {
      before.removeIf(Reply::isDone);
      return;
    }
    if (lane == null || shared == null) {
      if (lane != null) {
        lane.close();
        lanes[l] = null;
      }
      before.clear();
      lanes[l] = admin.pipeline(node);
    } else {
      // The pair's own pipeline is not replaced here: its other commands would be lost with it.
      before.removeIf(Reply::isDone);
    }
  }

  private static boolean lostConnection(List<Reply<String>> replies) {
    for (Reply<String> r : replies) {
      if (r.isDone()) {
        RedisAdminException e = r.failure();
        if (e != null
            && (e.is(RedisErrorKind.CONNECTION_FAILED) || e.is(RedisErrorKind.UNBLOCKED))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Closes the dedicated lanes; the pair's own pipeline is left to the pair. */
  @Override
  public void close() {
    if (shared == null) {
      for (int l = 0; l < lanes.length; l++) {
        if (lanes[l] != null) {
          lanes[l].close();
          lanes[l] = null;
        }
      }
    }
  }
}
