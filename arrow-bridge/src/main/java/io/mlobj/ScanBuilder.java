package io.mlobj;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Configures a read of one {@link Snapshot}.
 *
 * <pre>{@code
 * Scan scan = dataset.latest().newScan()
 *     .select("image", "label")
 *     .filter(Predicates.eq("split", "train"))
 *     .build();
 * try (BufferAllocator allocator = new RootAllocator();
 *     BatchReader reader = scan.open(allocator)) {
 *   while (reader.next()) { VectorSchemaRoot batch = reader.root(); ... }
 * }
 * }</pre>
 *
 * <p>Stable API.
 */
public final class ScanBuilder {
  private final Snapshot snapshot;
  private List<String> columns;
  private Predicate filter = Predicates.alwaysTrue();
  private int batchRows = 8192;
  private long targetSplitRows = Long.MAX_VALUE;
  private boolean verifyChecksums = true;
  private int readAheadShards = 4;
  private long readAheadBytes = 256L << 20;
  private boolean filterRows = false;

  ScanBuilder(Snapshot snapshot) {
    this.snapshot = snapshot;
  }

  /** Reads only these columns, in this order. Default: all. */
  public ScanBuilder select(String... columns) {
    return select(Arrays.asList(columns));
  }

  /** Reads only these columns, in this order. Default: all. */
  public ScanBuilder select(List<String> columns) {
    this.columns = columns == null ? null : new ArrayList<>(columns);
    return this;
  }

  /** Skips shards that cannot match; see {@link #filterRows(boolean)} for rows. */
  public ScanBuilder filter(Predicate filter) {
    this.filter = filter == null ? Predicates.alwaysTrue() : filter;
    return this;
  }

  /** Also drops non-matching rows from batches (default false: engines filter rows themselves). */
  public ScanBuilder filterRows(boolean filterRows) {
    this.filterRows = filterRows;
    return this;
  }

  /** Maximum rows per batch read from Parquet (default 8192). */
  public ScanBuilder batchRows(int batchRows) {
    if (batchRows <= 0) {
      throw MlobjErrors.badOption("batchRows", String.valueOf(batchRows), "a positive number");
    }
    this.batchRows = batchRows;
    return this;
  }

  /** Splits shards into tasks of about this many rows, at row-group/batch boundaries. */
  public ScanBuilder targetSplitRows(long rows) {
    if (rows <= 0) {
      throw MlobjErrors.badOption("targetSplitRows", String.valueOf(rows), "a positive number");
    }
    this.targetSplitRows = rows;
    return this;
  }

  /** Verify each shard's CRC32C (default true). */
  public ScanBuilder verifyChecksums(boolean verify) {
    this.verifyChecksums = verify;
    return this;
  }

  /** Shards fetched ahead of the consumer, and the byte cap on them (defaults 4, 256 MiB). */
  public ScanBuilder readAhead(int shards, long bytes) {
    if (shards < 0 || bytes <= 0) {
      throw MlobjErrors.badOption("readAhead", shards + "/" + bytes, "shards >= 0 and bytes > 0");
    }
    this.readAheadShards = shards;
    this.readAheadBytes = bytes;
    return this;
  }

  /** Validates the columns and plans nothing yet. */
  public Scan build() {
    List<String> known = snapshot.schema().getFields().stream().map(f -> f.getName()).toList();
    List<String> selected = columns == null ? known : columns;
    for (String column : selected) {
      if (!known.contains(column)) {
        throw MlobjErrors.unknownColumn(snapshot.dataset().uri(), column, known);
      }
    }
    for (String column : filter.columns()) {
      if (!known.contains(column)) {
        throw MlobjErrors.unknownColumn(snapshot.dataset().uri(), column, known);
      }
      if (filterRows && !selected.contains(column)) {
        throw MlobjErrors.badOption(
            "filterRows",
            "true",
            "the filter's column '" + column + "' among the selected columns");
      }
    }
    return new Scan(
        snapshot,
        selected,
        filter,
        filterRows,
        batchRows,
        targetSplitRows,
        verifyChecksums,
        readAheadShards,
        readAheadBytes);
  }
}
