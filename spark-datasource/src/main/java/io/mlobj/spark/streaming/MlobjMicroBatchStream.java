package io.mlobj.spark.streaming;

import io.mlobj.Change;
import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.ScanTask;
import io.mlobj.spark.MlobjOptions;
import io.mlobj.spark.read.MlobjInputPartition;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;

/**
 * A Structured Streaming source over a dataset's versions: offsets are version numbers, and a
 * micro-batch reads the new rows that versions (start, end] added, as the kernel's {@link
 * Dataset#changes} defines them: versions that only rearrange rows (compaction {@code replace},
 * {@code rollback}, {@code delete}, property changes) add nothing. Restarting from a checkpoint
 * resumes after the last committed version.
 *
 * <p>{@code startingVersion}: {@code earliest} (default: every version from 1), {@code latest}
 * (only versions committed after the query starts) or a version number (that version onwards).
 */
public final class MlobjMicroBatchStream implements MicroBatchStream {
  private final Dataset dataset;
  private final MlobjOptions options;
  private final Schema schema;
  private final PartitionReaderFactory readers;

  public MlobjMicroBatchStream(
      Dataset dataset, MlobjOptions options, Schema schema, PartitionReaderFactory readers) {
    this.dataset = dataset;
    this.options = options;
    this.schema = schema;
    this.readers = readers;
  }

  @Override
  public Offset initialOffset() {
    String start = options.get("startingVersion");
    if (start == null || start.equalsIgnoreCase("earliest")) {
      return new VersionOffset(0);
    }
    if (start.equalsIgnoreCase("latest")) {
      return new VersionOffset(dataset.latestVersion());
    }
    try {
      long v = Long.parseLong(start.trim());
      if (v >= 1) {
        return new VersionOffset(v - 1);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw MlobjErrors.badOption("startingVersion", start, "earliest, latest or a version >= 1");
  }

  @Override
  public Offset latestOffset() {
    return new VersionOffset(dataset.latestVersion());
  }

  @Override
  public InputPartition[] planInputPartitions(Offset start, Offset end) {
    long from = ((VersionOffset) start).version();
    long to = ((VersionOffset) end).version();
    List<InputPartition> out = new ArrayList<>();
    for (Change change : dataset.changes(from, to).list()) {
      for (ScanTask task : change.newRowTasks(options.splitRows())) {
        out.add(new MlobjInputPartition(change.version(), task));
      }
    }
    return out.toArray(InputPartition[]::new);
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return readers;
  }

  @Override
  public Offset deserializeOffset(String json) {
    return VersionOffset.parse(json);
  }

  @Override
  public void commit(Offset end) {}

  @Override
  public void stop() {}

  @Override
  public String toString() {
    return "MlobjMicroBatchStream(" + dataset.uri() + ", " + schema.getFields().size() + " cols)";
  }
}
