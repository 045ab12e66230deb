package io.mlobj.arrow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.AllocatorExtension;
import io.mlobj.TestData;
import io.mlobj.internal.arrow.ArrowIpcBatchReader;
import io.mlobj.internal.arrow.ArrowIpcShardEncoder;
import io.mlobj.internal.arrow.MappedFiles;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Record batches of an Arrow IPC file in a direct buffer (a privately mapped file, as the local
 * shard cache hands them out) load without a copy and read exactly like the copying path over a
 * heap array, for every type mlobj stores and with compression.
 */
class ZeroCopyIpcReadTest {
  @TempDir Path dir;
  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();

  private byte[] file(String compression) {
    try (ArrowIpcShardEncoder encoder =
        new ArrowIpcShardEncoder(TestData.allTypes(), compression, arrow.allocator(), 1 << 16)) {
      for (int b = 0; b < 3; b++) {
        try (VectorSchemaRoot batch = TestData.allTypesBatch(arrow.allocator(), b * 40L, 40)) {
          encoder.write(batch);
        }
      }
      return encoder.finish().bytes();
    }
  }

  private ByteBuffer mapped(byte[] bytes) throws Exception {
    Path file = Files.write(dir.resolve("shard.arrow"), bytes);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return channel.map(FileChannel.MapMode.PRIVATE, 0, bytes.length);
    }
  }

  private List<List<Object>> rows(ArrowIpcBatchReader reader) {
    List<List<Object>> rows = new ArrayList<>();
    try (reader) {
      while (reader.next()) {
        rows.addAll(TestData.rows(reader.root()));
      }
    }
    return rows;
  }

  @ParameterizedTest(name = "compression = {0}")
  @ValueSource(strings = {"none", "zstd", "lz4"})
  void aMappedFileReadsTheSameRowsAsTheHeapCopy(String compression) throws Exception {
    byte[] bytes = file(compression);
    List<List<Object>> expected =
        rows(new ArrowIpcBatchReader(bytes, null, arrow.allocator(), 0, -1));

    List<List<Object>> actual =
        rows(new ArrowIpcBatchReader(mapped(bytes), null, arrow.allocator(), 0, -1));

    assertThat(expected).hasSize(120);
    assertThat(actual).isEqualTo(expected);
    assertThat(arrow.allocator().getAllocatedMemory()).isZero();
  }

  @ParameterizedTest(name = "compression = {0}")
  @ValueSource(strings = {"none"})
  void anUncompressedBatchIsNotCopiedItsBuffersPointIntoTheFile(String compression)
      throws Exception {
    ByteBuffer file = mapped(file(compression));
    long start = org.apache.arrow.memory.util.MemoryUtil.getByteBufferAddress(file);
    try (ArrowIpcBatchReader reader =
        new ArrowIpcBatchReader(file, null, arrow.allocator(), 1, 1)) {
      assertThat(reader.next()).isTrue();
      long address = reader.root().getVector("id").getDataBuffer().memoryAddress();
      assertThat(address).isBetween(start, start + file.capacity());
      assertThat(reader.root().getRowCount()).isEqualTo(40);
    }
  }

  @ParameterizedTest(name = "compression = {0}")
  @ValueSource(strings = {"none"})
  void aBlockBeyondTheEndOfATruncatedFileIsAnErrorNotACrash(String compression) throws Exception {
    byte[] bytes = file(compression);
    ByteBuffer file = mapped(bytes);
    // Keep the footer (the reader must find it) but cut away the middle of the file: the footer
    // then names blocks the buffer does not hold.
    int footer = footerStart(bytes);
    ByteBuffer cut = ByteBuffer.allocateDirect(64 + (bytes.length - footer));
    cut.put(file.slice(0, 64)).put(file.slice(footer, bytes.length - footer)).flip();

    assertThatThrownBy(
            () -> {
              try (ArrowIpcBatchReader reader =
                  new ArrowIpcBatchReader(cut, null, arrow.allocator(), 2, 1)) {
                reader.next();
              }
            })
        .hasMessageContaining("outside the file");
  }

  @org.junit.jupiter.api.Test
  void aWrappedMappingIsUnmappedWhenItsLastVectorIsReleased() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/maps")));
    ByteBuffer mapping = mapped(file("none"));
    org.apache.arrow.memory.ArrowBuf file =
        MappedFiles.wrapAndUnmapOnRelease(arrow.allocator(), mapping);
    ArrowIpcBatchReader reader = new ArrowIpcBatchReader(file, null, arrow.allocator(), 0, -1);
    assertThat(reader.next()).isTrue();
    file.close(); // the owner lets go; the reader and its vectors still hold the mapping
    assertThat(mappingsOfShardFile()).isEqualTo(1);
    assertThat(reader.root().getRowCount()).isEqualTo(40);

    reader.close();

    assertThat(mappingsOfShardFile()).isZero();
    assertThat(arrow.allocator().getAllocatedMemory()).isZero();
  }

  private long mappingsOfShardFile() throws Exception {
    String path = dir.resolve("shard.arrow").toAbsolutePath().toString();
    try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
      return lines.filter(l -> l.endsWith(path)).count();
    }
  }

  /** Where the footer starts: the file ends with footer, int32 footer length, "ARROW1". */
  private static int footerStart(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int footerLength = b.getInt(bytes.length - 10);
    return bytes.length - 10 - footerLength;
  }
}
