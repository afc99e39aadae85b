package io.slotwise.engine.redis;

import io.slotwise.engine.topology.NodeAddress;

/**
 * Where the engine's movers find a node: its admin connection and, for moving data, a dedicated
 * pipelined one. {@link RedisAdmin} is the real one; unit tests drive the migrator with a fake.
 */
public interface NodeDirectory {
  /** The admin connection to a node, opened when needed; throws when it cannot be reached. */
  NodeClient node(NodeAddress address);

  /** A dedicated pipelined connection to a node; the caller closes it. */
  SlotPipeline pipeline(NodeAddress address);
}
