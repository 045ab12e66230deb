package io.mlobj;

import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * A separate-process committer for {@link ConcurrentCommitsITCase}: appends {@code appends} small
 * shards to a dataset, one commit each, and prints the versions it got.
 *
 * <p>Arguments: {@code <dataset uri> <writer> <appends> <rows per append> key=value...}.
 */
public final class AppendWorkerMain {
  private AppendWorkerMain() {}

  public static void main(String[] args) {
    String uri = args[0];
    int writer = Integer.parseInt(args[1]);
    int appends = Integer.parseInt(args[2]);
    int rows = Integer.parseInt(args[3]);
    Map<String, String> conf = ChildJvm.confFrom(args, 4);
    Dataset dataset = Dataset.open(uri, conf);
    StringBuilder versions = new StringBuilder();
    try (BufferAllocator allocator = new RootAllocator()) {
      for (int a = 0; a < appends; a++) {
        long version =
            SmallRows.append(
                    dataset,
                    allocator,
                    ShardFormat.ARROW,
                    writer,
                    ConcurrentCommitsITCase.firstId(writer, a, rows),
                    rows)
                .version();
        versions.append(version).append(' ');
      }
    }
    System.out.println("COMMITTED " + versions.toString().trim());
    System.exit(0);
  }
}
