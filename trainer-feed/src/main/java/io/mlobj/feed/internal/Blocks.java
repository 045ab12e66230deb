package io.mlobj.feed.internal;

import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.ScanTask;
import io.mlobj.ShardCodecs;
import io.mlobj.arrow.BatchReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/** Decodes one block (a row group or record batch) of a fetched shard. */
final class Blocks {
  private Blocks() {}

  /** A decoded block; close it to free its buffers. */
  record Decoded(BatchReader reader, VectorSchemaRoot root) implements AutoCloseable {
    @Override
    public void close() {
      reader.close();
    }
  }

  static Decoded decode(
      String dataset,
      long version,
      String object,
      ScanTask task,
      ShardBytes bytes,
      Schema schema,
      BufferAllocator allocator) {
    BatchReader reader;
    try {
      int count = task.batchCount() < 0 ? -1 : 1;
      reader =
          ShardCodecs.of(task.shard().format())
              .open(
                  bytes.source(),
                  schema,
                  allocator,
                  task.firstBatch(),
                  count,
                  (int) Math.max(1, task.shard().rows()));
    } catch (MlobjException e) {
      throw e;
    } catch (Exception e) {
      throw MlobjErrors.unreadableShard(dataset, version, object, String.valueOf(e.getMessage()));
    }
    try {
      if (!reader.next()) {
        throw MlobjErrors.unreadableShard(
            dataset, version, object, "block " + task.firstBatch() + " is missing");
      }
      return new Decoded(reader, reader.root());
    } catch (RuntimeException e) {
      reader.close();
      throw e;
    }
  }
}
