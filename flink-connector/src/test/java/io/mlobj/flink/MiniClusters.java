package io.mlobj.flink;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** The Flink MiniCluster the connector's tests run on: one task manager, a few slots. */
public final class MiniClusters {
  private MiniClusters() {}

  /**
   * A MiniCluster extension with one task manager of {@code slots} slots; register it on a static
   * field with {@code @RegisterExtension} so one cluster serves the whole test class.
   */
  public static MiniClusterExtension withSlots(int slots) {
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .build());
  }
}
