package io.slotwise.engine.plan;

import io.slotwise.engine.plan.RebalancePlan.PlannedMove;
import io.slotwise.engine.topology.HashSlots;
import io.slotwise.engine.topology.NodeAddress;
import io.slotwise.engine.topology.SlotSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which slots move where so that each primary's load (slots, keys or bytes) matches its
 * share by weight. Pure: it reads the current ownership and slot statistics and returns moves.
 *
 * <p>By slots: targets are the weighted shares of 16384; givers hand over their cheapest slots
 * (fewest keys) so the least data moves for the same balance. By keys or memory: a primary with
 * weight 0 first hands out every slot (heaviest first, each to the primary furthest below its
 * target); then, while some primary is outside the threshold, the primary furthest above its target
 * gives the slot whose weight best fills the deficit of the one furthest below, as long as that
 * strictly reduces the imbalance. A slot heavier than the gap is never moved, so a hot hash tag
 * that alone exceeds the mean is reported instead of bounced around. The plan lists each slot at
 * most once, from its current owner to its final one.
 */
public final class RebalancePlanner {
  /** A primary as the planner sees it. {@code weight} 0 means: hold no slot. */
  public record Primary(String id, NodeAddress address, SlotSet slots, double weight) {}

  private RebalancePlanner() {}

  /**
   * @param givers if not null, only these primaries give slots away (drain, reshard)
   * @param thresholdPercent no move is planned when every primary is within this distance of its
   *     target (in percent of the mean target)
   */
  public static RebalancePlan plan(
      List<Primary> primaries,
      SlotStats stats,
      BalanceBy by,
      double thresholdPercent,
      Set<String> givers) {
    double totalWeight = primaries.stream().mapToDouble(Primary::weight).sum();
    if (totalWeight <= 0) {
      throw new PlanningException("every primary has weight 0: nowhere to put the slots");
    }
    Map<String, Long> load = new LinkedHashMap<>();
    Map<String, List<Integer>> owned = new HashMap<>();
    long total = 0;
    for (Primary p : primaries) {
      long l = 0;
      List<Integer> slots = new ArrayList<>();
      for (int s : p.slots().toArray()) {
        l += stats.weight(by, s);
        slots.add(s);
      }
      load.put(p.id(), l);
      owned.put(p.id(), slots);
      total += l;
    }
    Map<String, Double> target = targets(primaries, by, total, totalWeight);
    Map<String, Long> before = new LinkedHashMap<>(load);
    List<PlannedMove> moves = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    boolean zeroWeightHolds =
        primaries.stream()
            .anyMatch(
                p -> p.weight() == 0 && !owned.get(p.id()).isEmpty() && mayGive(givers, p.id()));
    double before0 = RebalancePlan.imbalancePercent(before, target);
    if (!zeroWeightHolds && before0 <= thresholdPercent) {
      return new RebalancePlan(by, List.of(), before, load, target, 0, 0, List.of());
    }
    if (by == BalanceBy.SLOTS) {
      bySlots(primaries, stats, target, load, owned, givers, moves);
    } else {
      emptyZeroWeight(primaries, stats, by, target, load, owned, givers, moves);
      byWeight(primaries, stats, by, thresholdPercent, target, load, owned, givers, moves, notes);
    }
    List<PlannedMove> net = net(moves);
    long keys = 0;
    long bytes = 0;
    for (PlannedMove m : net) {
      keys += stats.keys()[m.slot()];
      bytes += stats.bytes()[m.slot()];
    }
    return new RebalancePlan(by, net, before, load, target, keys, bytes, notes);
  }

  /**
   * The primaries that a plan by slots may take slots from: those above their share that may give.
   * Only their slots' key counts matter to such a plan (it gives away the cheapest).
   */
  public static Set<String> slotGivers(List<Primary> primaries, Set<String> givers) {
    double totalWeight = primaries.stream().mapToDouble(Primary::weight).sum();
    Set<String> out = new java.util.HashSet<>();
    if (totalWeight <= 0) {
      return out;
    }
    Map<String, Double> target = targets(primaries, BalanceBy.SLOTS, 0, totalWeight);
    for (Primary p : primaries) {
      if (mayGive(givers, p.id()) && p.slots().size() > Math.round(target.get(p.id()))) {
        out.add(p.id());
      }
    }
    return out;
  }

  /**
   * One move per slot, from its owner before the plan to its owner after it; none if that is the
   * same primary. The search may pass a slot on (a weight-0 primary hands it to X, then X gives it
   * to Y), but the migrator runs (from, to) groups in parallel, so every move must start from the
   * slot's current owner, and a slot's keys should travel once.
   */
  private static List<PlannedMove> net(List<PlannedMove> moves) {
    Map<Integer, PlannedMove> bySlot = new LinkedHashMap<>();
    for (PlannedMove m : moves) {
      PlannedMove first = bySlot.get(m.slot());
      bySlot.put(
          m.slot(), new PlannedMove(m.slot(), first == null ? m.from() : first.from(), m.to()));
    }
    return bySlot.values().stream().filter(m -> !m.from().equals(m.to())).toList();
  }

  private static boolean mayGive(Set<String> givers, String id) {
    return givers == null || givers.contains(id);
  }

  private static Map<String, Double> targets(
      List<Primary> primaries, BalanceBy by, long total, double totalWeight) {
    Map<String, Double> target = new LinkedHashMap<>();
    if (by == BalanceBy.SLOTS) {
      // Whole slots: floor of each share, the remainder to the largest fractions.
      Map<String, Double> frac = new HashMap<>();
      int assigned = 0;
      for (Primary p : primaries) {
        double exact = HashSlots.COUNT * p.weight() / totalWeight;
        int floor = (int) Math.floor(exact);
        target.put(p.id(), (double) floor);
        frac.put(p.id(), exact - floor);
        assigned += floor;
      }
      List<Primary> byFrac = new ArrayList<>(primaries);
      byFrac.sort(
          Comparator.comparingDouble((Primary p) -> -frac.get(p.id())).thenComparing(Primary::id));
      for (int i = 0; assigned < HashSlots.COUNT; i++, assigned++) {
        String id = byFrac.get(i % byFrac.size()).id();
        target.merge(id, 1.0, Double::sum);
      }
    } else {
      for (Primary p : primaries) {
        target.put(p.id(), total * p.weight() / totalWeight);
      }
    }
    return target;
  }

  private static void bySlots(
      List<Primary> primaries,
      SlotStats stats,
      Map<String, Double> target,
      Map<String, Long> load,
      Map<String, List<Integer>> owned,
      Set<String> givers,
      List<PlannedMove> moves) {
    Map<String, Deque<Integer>> giveQueue = new LinkedHashMap<>();
    Map<String, Long> excess = new LinkedHashMap<>();
    Map<String, Long> deficit = new LinkedHashMap<>();
    for (Primary p : primaries) {
      long diff = load.get(p.id()) - Math.round(target.get(p.id()));
      if (diff > 0 && mayGive(givers, p.id())) {
        List<Integer> slots = new ArrayList<>(owned.get(p.id()));
        // Cheapest first: fewest keys, then highest slot (keeps low ranges contiguous).
        slots.sort(
            Comparator.comparingLong((Integer s) -> stats.keys()[s])
                .thenComparing(Comparator.reverseOrder()));
        giveQueue.put(p.id(), new ArrayDeque<>(slots));
        excess.put(p.id(), diff);
      } else if (diff < 0) {
        deficit.put(p.id(), -diff);
      }
    }
    List<String> receivers = new ArrayList<>(deficit.keySet());
    receivers.sort(
        Comparator.comparingLong((String id) -> -deficit.get(id)).thenComparing(id -> id));
    List<String> giverIds = new ArrayList<>(excess.keySet());
    giverIds.sort(Comparator.comparingLong((String id) -> -excess.get(id)).thenComparing(id -> id));
    // Given slots leave their givers' lists at the end, in one pass each (not one search each).
    Map<String, Set<Integer>> given = new LinkedHashMap<>();
    for (String r : receivers) {
      for (String g : giverIds) {
        while (deficit.get(r) > 0 && excess.get(g) > 0) {
          int s = giveQueue.get(g).poll();
          moves.add(new PlannedMove(s, g, r));
          given.computeIfAbsent(g, k -> new java.util.HashSet<>()).add(s);
          owned.get(r).add(s);
          excess.merge(g, -1L, Long::sum);
          deficit.merge(r, -1L, Long::sum);
          load.merge(g, -1L, Long::sum);
          load.merge(r, 1L, Long::sum);
        }
      }
    }
    given.forEach((g, slots) -> owned.get(g).removeIf(slots::contains));
  }

  private static void emptyZeroWeight(
      List<Primary> primaries,
      SlotStats stats,
      BalanceBy by,
      Map<String, Double> target,
      Map<String, Long> load,
      Map<String, List<Integer>> owned,
      Set<String> givers,
      List<PlannedMove> moves) {
    List<Primary> receivers = primaries.stream().filter(p -> p.weight() > 0).toList();
    for (Primary p : primaries) {
      if (p.weight() > 0 || !mayGive(givers, p.id())) {
        continue;
      }
      List<Integer> slots = new ArrayList<>(owned.get(p.id()));
      slots.sort(
          Comparator.comparingLong((Integer s) -> -stats.weight(by, s)).thenComparing(s -> s));
      for (int s : slots) {
        long w = stats.weight(by, s);
        Primary to =
            w > 0
                ? receivers.stream()
                    .max(
                        Comparator.comparingDouble(
                            (Primary r) -> target.get(r.id()) - load.get(r.id())))
                    .orElseThrow()
                : receivers.stream()
                    .min(Comparator.comparingInt((Primary r) -> owned.get(r.id()).size()))
                    .orElseThrow();
        move(s, p.id(), to.id(), w, load, owned, moves);
      }
    }
  }

  private static void byWeight(
      List<Primary> primaries,
      SlotStats stats,
      BalanceBy by,
      double thresholdPercent,
      Map<String, Double> target,
      Map<String, Long> load,
      Map<String, List<Integer>> owned,
      Set<String> givers,
      List<PlannedMove> moves,
      List<String> notes) {
    Map<String, TreeMap<Long, Deque<Integer>>> bins = new HashMap<>();
    for (Primary p : primaries) {
      TreeMap<Long, Deque<Integer>> t = new TreeMap<>();
      for (int s : owned.get(p.id())) {
        long w = stats.weight(by, s);
        if (w > 0) {
          t.computeIfAbsent(w, k -> new ArrayDeque<>()).add(s);
        }
      }
      bins.put(p.id(), t);
    }
    List<Primary> weighted = primaries.stream().filter(p -> p.weight() > 0).toList();
    for (int iter = 0; iter < HashSlots.COUNT * 4; iter++) {
      if (RebalancePlan.imbalancePercent(load, target) <= thresholdPercent) {
        return;
      }
      List<Primary> bySurplus =
          new ArrayList<>(weighted.stream().filter(p -> mayGive(givers, p.id())).toList());
      bySurplus.sort(
          Comparator.comparingDouble((Primary p) -> -(load.get(p.id()) - target.get(p.id()))));
      List<Primary> byDeficit = new ArrayList<>(weighted);
      byDeficit.sort(
          Comparator.comparingDouble((Primary p) -> load.get(p.id()) - target.get(p.id())));
      boolean movedOne = false;
      search:
      for (Primary a : bySurplus) {
        double devA = load.get(a.id()) - target.get(a.id());
        if (devA <= 0) {
          break;
        }
        for (Primary b : byDeficit) {
          double devB = load.get(b.id()) - target.get(b.id());
          if (b.id().equals(a.id()) || devB >= 0) {
            continue;
          }
          double gap = devA - devB;
          double ideal = Math.min(devA, -devB);
          Integer slot = closest(bins.get(a.id()), ideal, gap);
          if (slot != null) {
            long w = stats.weight(by, slot);
            bins.get(a.id()).get(w).remove(slot);
            if (bins.get(a.id()).get(w).isEmpty()) {
              bins.get(a.id()).remove(w);
            }
            bins.get(b.id()).computeIfAbsent(w, k -> new ArrayDeque<>()).add(slot);
            move(slot, a.id(), b.id(), w, load, owned, moves);
            movedOne = true;
            break search;
          }
        }
      }
      if (!movedOne) {
        break;
      }
    }
    if (RebalancePlan.imbalancePercent(load, target) > thresholdPercent) {
      long heaviest = 0;
      int heavySlot = -1;
      for (int s = 0; s < HashSlots.COUNT; s++) {
        if (stats.weight(by, s) > heaviest) {
          heaviest = stats.weight(by, s);
          heavySlot = s;
        }
      }
      notes.add(
          String.format(
              "cannot get every primary within %.1f%% of its target: slots cannot be split, and slot %d alone holds %d %s (a hot hash tag?)",
              thresholdPercent, heavySlot, heaviest, by == BalanceBy.KEYS ? "keys" : "bytes"));
    }
  }

  /** The slot whose weight is closest to {@code ideal} among weights in (0, gap). */
  private static Integer closest(TreeMap<Long, Deque<Integer>> bins, double ideal, double gap) {
    Long below = bins.floorKey((long) Math.floor(ideal));
    Long above = bins.ceilingKey((long) Math.ceil(ideal));
    Long best = null;
    for (Long w : new Long[] {below, above}) {
      if (w == null || w <= 0 || w >= gap) {
        continue;
      }
      if (best == null || Math.abs(w - ideal) < Math.abs(best - ideal)) {
        best = w;
      }
    }
    return best == null ? null : bins.get(best).peekFirst();
  }

  private static void move(
      int slot,
      String from,
      String to,
      long weight,
      Map<String, Long> load,
      Map<String, List<Integer>> owned,
      List<PlannedMove> moves) {
    moves.add(new PlannedMove(slot, from, to));
    owned.get(from).remove((Integer) slot);
    owned.get(to).add(slot);
    load.merge(from, -weight, Long::sum);
    load.merge(to, weight, Long::sum);
  }
}
