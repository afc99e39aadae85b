package io.slotwise.engine.topology;

import java.nio.charset.StandardCharsets;

/** The Redis Cluster key space: 16384 hash slots, a key's slot from CRC16 of its hash tag. */
public final class HashSlots {
  public static final int COUNT = 16384;

  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int j = 0; j < 8; j++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      TABLE[i] = crc & 0xffff;
    }
  }

  private HashSlots() {}

  public static int slotOf(String key) {
    return slotOf(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The slot of a key, honouring the first non-empty {@code {...}} hash tag as Redis does. */
  public static int slotOf(byte[] key) {
    int start = 0;
    int end = key.length;
    for (int i = 0; i < key.length; i++) {
      if (key[i] == '{') {
        for (int j = i + 1; j < key.length; j++) {
          if (key[j] == '}') {
            if (j > i + 1) {
              start = i + 1;
              end = j;
            }
            break;
          }
        }
        break;
      }
    }
    int crc = 0;
    for (int i = start; i < end; i++) {
      crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ key[i]) & 0xff]) & 0xffff;
    }
    return crc & (COUNT - 1);
  }
}
