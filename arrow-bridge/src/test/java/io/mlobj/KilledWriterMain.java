package io.mlobj;

import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;

/**
 * A writer process for {@link KilledWriterITCase}: uploads shards with {@link
 * DatasetWriter#complete()}, prints their keys, then dies with {@link Runtime#halt} before
 * committing (no shutdown hooks, no cleanup: like a killed container).
 *
 * <p>Arguments: {@code <dataset uri> <first id> <rows> key=value...}.
 */
public final class KilledWriterMain {
  private KilledWriterMain() {}

  public static void main(String[] args) {
    String uri = args[0];
    long firstId = Long.parseLong(args[1]);
    int rows = Integer.parseInt(args[2]);
    Map<String, String> conf = ChildJvm.confFrom(args, 3);
    Dataset dataset = Dataset.open(uri, conf);
    RootAllocator allocator = new RootAllocator();
    List<Shard> shards = SmallRows.write(dataset, allocator, ShardFormat.PARQUET, 7, firstId, rows);
    for (Shard shard : shards) {
      System.out.println("UPLOADED " + shard.path());
    }
    System.out.flush();
    Runtime.getRuntime().halt(137);
  }
}
