package io.slotwise.engine.execute;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test launcher: runs a program's {@code main} in this JVM and, once {@link TemporaryConfig} has
 * lowered its N-th value, prints {@link #MARKER} and stops for good, so the test can kill the JVM
 * at that point. Arguments: N, the main class, then that program's arguments.
 */
public final class StopAfterLowering {
  public static final String MARKER = "SLOTWISE-TEST-LOWERED";

  private StopAfterLowering() {}

  public static void main(String[] args) throws Exception {
    int stopAfter = Integer.parseInt(args[0]);
    AtomicInteger lowered = new AtomicInteger();
    TemporaryConfig.afterLowerForTests =
        () -> {
          if (lowered.incrementAndGet() == stopAfter) {
            System.out.println(MARKER);
            System.out.flush();
            while (true) {
              try {
                Thread.sleep(Long.MAX_VALUE);
              } catch (InterruptedException e) {
                // wait for the kill
              }
            }
          }
        };
    Class.forName(args[1])
        .getMethod("main", String[].class)
        .invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
  }
}
