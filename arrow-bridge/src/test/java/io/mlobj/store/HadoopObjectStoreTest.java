package io.mlobj.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.MlobjConf;
import io.mlobj.Snapshot;
import io.mlobj.TestData;
import io.mlobj.arrow.BatchReader;
import io.mlobj.internal.store.HadoopObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Hadoop FileSystem store (the path hdfs:// takes), exercised through Hadoop's local file
 * system: the SPI contract, and a dataset written and read through it.
 */
class HadoopObjectStoreTest {
  @TempDir Path dir;

  private HadoopObjectStore store() {
    return new HadoopObjectStore(dir.toUri().toString(), MlobjConf.empty());
  }

  @Test
  void honoursTheObjectStoreContract() {
    HadoopObjectStore store = store();
    byte[] hello = "hello world".getBytes(StandardCharsets.UTF_8);
    store.put("a/b/one.bin", hello, Map.of());
    store.put("a/two.bin", new byte[] {1}, Map.of());

    assertThat(store.read("a/b/one.bin")).isEqualTo(hello);
    assertThat(store.readRange("a/b/one.bin", 6, 100))
        .isEqualTo("world".getBytes(StandardCharsets.UTF_8));
    assertThat(store.head("a/b/one.bin").orElseThrow().size()).isEqualTo(hello.length);
    assertThat(store.head("missing")).isEmpty();
    assertThat(store.list("a/", null))
        .extracting(ObjectInfo::key)
        .containsExactly("a/b/one.bin", "a/two.bin");
    assertThat(store.list("a/", "a/b/one.bin"))
        .extracting(ObjectInfo::key)
        .containsExactly("a/two.bin");
    assertThatThrownBy(() -> store.read("missing")).isInstanceOf(ObjectNotFoundException.class);

    store.putIfAbsent("v/1.json", hello, Map.of());
    assertThatThrownBy(() -> store.putIfAbsent("v/1.json", new byte[] {2}, Map.of()))
        .isInstanceOf(PreconditionFailedException.class);
    assertThat(store.read("v/1.json")).isEqualTo(hello);

    store.put("a/two.bin", new byte[] {3}, Map.of()); // replace
    assertThat(store.read("a/two.bin")).containsExactly(3);
    store.delete("a/two.bin");
    store.delete("a/two.bin"); // deleting a missing object is fine
    assertThat(store.head("a/two.bin")).isEmpty();
  }

  @Test
  void aDatasetRoundTripsThroughTheHadoopStore() {
    Dataset dataset = Dataset.at(store(), MlobjConf.empty());
    try (BufferAllocator allocator = new RootAllocator()) {
      try (DatasetWriter writer = dataset.newWriter(TestData.allTypes()).build(allocator);
          VectorSchemaRoot batch = TestData.allTypesBatch(allocator, 0, 40)) {
        writer.write(batch);
        dataset.newAppend().addShards(writer).commit();
        dataset.newAppend().schema(TestData.allTypes()).commit();
      }
      Snapshot latest = dataset.latest();
      assertThat(latest.version()).isEqualTo(2);
      long rows = 0;
      try (BatchReader reader = latest.newScan().build().open(allocator)) {
        while (reader.next()) {
          rows += reader.root().getRowCount();
        }
      }
      assertThat(rows).isEqualTo(40);
      assertThat(List.of(latest.shards().get(0).path())).allMatch(p -> p.startsWith("data/"));
    }
  }
}
