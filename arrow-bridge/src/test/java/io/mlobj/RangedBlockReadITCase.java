package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.arrow.BatchReader;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.internal.store.CountingObjectStore;
import io.mlobj.ops.Importer;
import io.mlobj.store.ObjectStores;
import io.mlobj.testing.EmbeddedS3Extension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Dataset#readBlock} of Parquet shards (the feed's {@code take}): every page's CRC is
 * checked, so a damaged page fails the read with an error naming the dataset, version, object, row
 * group and column, while pages written without a CRC still read; the footer is kept per shard, so
 * a later block of the shard costs its column chunks only.
 */
class RangedBlockReadITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  private static final int ROWS = 200_000;

  private String uri;
  private Dataset dataset;
  private Shard shard;

  /** Version 2: one Parquet shard of ids 0..199999 in several row groups. */
  @BeforeEach
  void setUp() {
    uri = S3.newDatasetUri();
    dataset = SmallRows.create(uri, S3.conf());
    List<Shard> written;
    try (DatasetWriter out =
            dataset
                .newWriter(SmallRows.schema())
                .format(ShardFormat.PARQUET)
                .rowGroupBytes(256 << 10)
                .build(arrow.allocator());
        var batch = SmallRows.batch(arrow.allocator(), 7, 0, ROWS)) {
      out.write(batch);
      written = out.complete();
    }
    dataset.newAppend().addShards(written).commit();
    shard = written.get(0);
    assertThat(shard.batchRows()).hasSizeGreaterThan(3);
  }

  private ScanTask block(Shard of, int block) {
    long first = 0;
    for (int b = 0; b < block; b++) {
      first += of.batchRows().get(b);
    }
    return new ScanTask(of, block, 1, of.batchRows().get(block), first);
  }

  private static List<Long> ids(BatchReader reader) {
    BigIntVector ids = (BigIntVector) reader.root().getVector("id");
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < reader.root().getRowCount(); i++) {
      out.add(ids.get(i));
    }
    return out;
  }

  private List<Long> read(Dataset from, long version, ScanTask task) {
    try (BatchReader reader =
        from.readBlock(version, task, SmallRows.schema(), arrow.allocator(), null)) {
      assertThat(reader.next()).as("the block is loaded at once").isFalse();
      return ids(reader);
    }
  }

  private static List<Long> range(long from, long count) {
    return LongStream.range(from, from + count).boxed().toList();
  }

  @Test
  void mlobjWritesACrcOnEveryPage() {
    assertThat(ParquetPages.everyPageHasACrc(dataset.store().read(shard.path()))).isTrue();
  }

  @Test
  void aDamagedDataPageFailsNamingDatasetVersionObjectRowGroupAndColumn() {
    byte[] original = dataset.store().read(shard.path());
    byte[] damaged = original.clone();
    damaged[(int) ParquetPages.firstDataPage(original, 2, "writer").middle()] ^= 0x10;
    dataset.store().put(shard.path(), damaged, Map.of());

    assertThatThrownBy(() -> read(dataset, 2, block(shard, 2)))
        .isInstanceOf(MlobjException.class)
        .satisfies(
            e -> assertThat(((MlobjException) e).kind()).isEqualTo(MlobjException.Kind.CORRUPT))
        .hasMessageStartingWith(
            "Cannot read shard " + dataset.objectUri(shard.path()) + " of dataset " + uri)
        .hasMessageContaining("at version 2: a page of row group 2, column 'writer', does not")
        .hasMessageContaining("the object's bytes are damaged")
        .hasMessageContaining("Run 'mlobj verify " + uri + "' and restore the object or roll back");
    // The other row groups' pages are intact and still read by range.
    assertThat(read(dataset, 2, block(shard, 0))).isEqualTo(range(0, shard.batchRows().get(0)));

    dataset.store().put(shard.path(), original, Map.of());
    long first = block(shard, 2).firstRow();
    assertThat(read(dataset, 2, block(shard, 2))).isEqualTo(range(first, shard.batchRows().get(2)));
  }

  @Test
  void aDamagedPageOfTheFirstReadOfAShardFailsToo() {
    byte[] original = dataset.store().read(shard.path());
    byte[] damaged = original.clone();
    damaged[(int) ParquetPages.firstDataPage(original, 1, "id").middle()] ^= 0x01;
    dataset.store().put(shard.path(), damaged, Map.of());

    assertThatThrownBy(() -> read(Dataset.open(uri, S3.conf()), 2, block(shard, 1)))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("row group 1, column 'id'");
  }

  @Test
  void pagesWrittenWithoutACrcStillReadByRange() {
    byte[] plain = ParquetPages.plainFileWithoutPageCrcs(5000, 1500, 3, 4096);
    assertThat(ParquetPages.noPageHasACrc(plain)).isTrue();
    dataset.store().put("incoming/plain.parquet", plain, Map.of());
    Snapshot imported = Importer.importFiles(dataset, List.of("incoming/plain.parquet"));
    Shard adopted =
        imported.shards().stream()
            .filter(s -> s.path().endsWith("plain.parquet"))
            .findFirst()
            .orElseThrow();
    assertThat(adopted.batchRows()).hasSizeGreaterThan(1);

    int last = adopted.batchRows().size() - 1;
    long first = block(adopted, last).firstRow();
    assertThat(read(dataset, imported.version(), block(adopted, last)))
        .isEqualTo(range(5000 + first, adopted.batchRows().get(last)));
  }

  @Test
  void aLaterBlockOfAShardReadsItsColumnChunksOnlyInOneRequest() {
    CountingObjectStore counting =
        new CountingObjectStore(ObjectStores.open(uri, MlobjConf.of(S3.conf())));
    Dataset counted = Dataset.at(counting, MlobjConf.of(S3.conf()));
    assertThat(shard.bytes())
        .as("row groups 1 and 3 lie before the tail read")
        .isGreaterThan(4 * 64 << 10);

    assertThat(read(counted, 2, block(shard, 1))).hasSize(shard.batchRows().get(1).intValue());
    assertThat(counting.reads(LogLayout.DATA))
        .as("first block: the footer with the file's tail, then the row group's chunks")
        .isEqualTo(2);
    counting.reset();

    assertThat(read(counted, 2, block(shard, 3))).hasSize(shard.batchRows().get(3).intValue());
    assertThat(counting.reads(LogLayout.DATA)).as("later block: its chunks only").isEqualTo(1);
    assertThat(counting.calls("read")).as("nothing fetched whole").isZero();
    assertThat(counting.calls("head")).isZero();
  }

  @Test
  void aFooterKeptForAnObjectIsNotUsedForOtherContentAtTheSameKey() throws Exception {
    assertThat(read(dataset, 2, block(shard, 0))).isEqualTo(range(0, shard.batchRows().get(0)));

    // Other content at the same key, as when a dataset is dropped and created again at the same
    // URI: other rows and row groups, so the old footer would read garbage or fail.
    byte[] other = ParquetPages.plainFileWithoutPageCrcs(90_000, 700, 1, 2048);
    dataset.store().put(shard.path(), other, Map.of());
    List<Long> rows = new ArrayList<>();
    try (BatchReader whole =
        ShardCodecs.of(ShardFormat.PARQUET)
            .open(ShardCodec.Source.of(other), null, arrow.allocator(), 0, -1, 100_000)) {
      while (whole.next()) {
        rows.add((long) whole.root().getRowCount());
      }
    }
    Shard replaced =
        new Shard(
            shard.path(),
            ShardFormat.PARQUET,
            700,
            other.length,
            ShardIo.crc32c(other),
            List.of(rows.get(0)),
            Map.of(),
            Map.of(),
            Map.of());

    assertThat(read(dataset, 2, block(replaced, 0))).isEqualTo(range(90_000, rows.get(0)));
  }
}
