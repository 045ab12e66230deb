package io.mlobj.bench;

import io.mlobj.s3server.EmbeddedS3;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the throughput benches start for a run: the environment line, an embedded S3 server with the
 * bench bucket, a root allocator and a raw SDK client on the server (the baseline). Closed in the
 * reverse order, as a try-with-resources of the three would.
 *
 * @param s3 the server
 * @param allocator the run's allocator
 * @param raw the raw client, straight to the server
 */
record BenchRig(EmbeddedS3 s3, BufferAllocator allocator, S3Client raw) implements AutoCloseable {
  /** Prints the environment and starts the server, the allocator and the raw client. */
  static BenchRig start() {
    BenchSupport.environment();
    EmbeddedS3 s3 = BenchSupport.startS3();
    BufferAllocator allocator = null;
    try {
      allocator = new RootAllocator();
      return new BenchRig(s3, allocator, BenchSupport.rawClient(s3));
    } catch (RuntimeException | Error e) {
      if (allocator != null) {
        allocator.close();
      }
      s3.close();
      throw e;
    }
  }

  /** The server's {@code fs.s3a.*} settings plus the run's {@code fs.*}/{@code mlobj.*} args. */
  Map<String, String> conf(Map<String, String> args) {
    return BenchSupport.withOverrides(s3.hadoopConf(), args);
  }

  @Override
  public void close() {
    try (EmbeddedS3 server = s3;
        BufferAllocator memory = allocator;
        S3Client client = raw) {
      // Closes client, memory, then server, each even if an earlier close failed.
    }
  }
}
