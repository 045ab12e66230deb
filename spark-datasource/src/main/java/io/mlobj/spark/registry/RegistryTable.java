package io.mlobj.spark.registry;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/** The registry table: one partition holding the hits the driver's query found. */
final class RegistryTable implements SupportsRead {
  private final Map<String, String> options;

  RegistryTable(Map<String, String> options) {
    this.options = Map.copyOf(options);
  }

  @Override
  public String name() {
    return "mlobj-registry(" + options.getOrDefault("registry", "?") + ")";
  }

  @Override
  public StructType schema() {
    return RegistryRows.SCHEMA;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
    return () -> new RegistryScan(options);
  }

  /** Loads the hits once, when Spark plans the partitions. */
  private record RegistryScan(Map<String, String> options) implements Scan, Batch {
    @Override
    public StructType readSchema() {
      return RegistryRows.SCHEMA;
    }

    @Override
    public Batch toBatch() {
      return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
      return new InputPartition[] {new Hits(RegistryRows.load(options))};
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
      return partition -> new HitReader(((Hits) partition).hits());
    }
  }

  private record Hits(List<RegistryRows.Hit> hits) implements InputPartition {}

  private static final class HitReader implements PartitionReader<InternalRow> {
    private final List<RegistryRows.Hit> hits;
    private int next = -1;

    HitReader(List<RegistryRows.Hit> hits) {
      this.hits = hits;
    }

    @Override
    public boolean next() {
      return ++next < hits.size();
    }

    @Override
    public InternalRow get() {
      return hits.get(next).toRow();
    }

    @Override
    public void close() {}
  }
}
