package io.mlobj.internal.arrow;

import io.mlobj.arrow.BatchReader;
import io.mlobj.arrow.SchemaCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.api.GroupConverter;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads a range of row groups of an in-memory Parquet file into Arrow batches of at most {@code
 * maxBatchRows} rows, decoding column chunks where they lie in the fetched bytes. Only the
 * requested columns are decoded; requested columns the file lacks (added later by schema evolution)
 * read as nulls.
 */
public final class ParquetBatchReader implements BatchReader {
  private final ParquetFileReader reader;
  private final VectorSchemaRoot root;
  private final MessageColumnIO columnIo;
  private final ArrowConverters.RootConverter converter;
  private final RecordMaterializer<Object> materializer;
  private final boolean noColumns;
  private final ColumnarParquetDecoder decoder;
  private int currentGroup;
  private final int maxBatchRows;
  private int groupsLeft;
  private RecordReader<Object> records;
  private long rowsLeftInGroup;

  /**
   * @param bytes the whole file
   * @param schema the columns to read, with their Arrow types; null reads every column with the
   *     file's own Arrow schema
   * @param firstGroup index of the first row group to read
   * @param groupCount number of row groups to read; -1 for all from {@code firstGroup}
   */
  public ParquetBatchReader(
      byte[] bytes,
      Schema schema,
      BufferAllocator allocator,
      int firstGroup,
      int groupCount,
      int maxBatchRows)
      throws IOException {
    this(ByteBuffer.wrap(bytes), schema, allocator, firstGroup, groupCount, maxBatchRows);
  }

  /**
   * A reader over the buffer's remaining bytes (heap or a mapping), read in place: column chunks
   * are decoded from slices of it, so it must stay unchanged and mapped until the reader is closed.
   *
   * @see #ParquetBatchReader(byte[], Schema, BufferAllocator, int, int, int)
   */
  public ParquetBatchReader(
      ByteBuffer bytes,
      Schema schema,
      BufferAllocator allocator,
      int firstGroup,
      int groupCount,
      int maxBatchRows)
      throws IOException {
    this(openFile(bytes), schema, allocator, firstGroup, groupCount, maxBatchRows);
  }

  /**
   * A reader over parquet-mr's reader of a file (e.g. one read by ranged reads of an object, see
   * {@link #openFile(InputFile, ParquetMetadata, ParquetReadOptions)}): only the requested column
   * chunks of the row groups read are fetched. Closing this closes {@code reader}, also when this
   * throws.
   *
   * @see #ParquetBatchReader(byte[], Schema, BufferAllocator, int, int, int)
   */
  ParquetBatchReader(
      ParquetFileReader reader,
      Schema schema,
      BufferAllocator allocator,
      int firstGroup,
      int groupCount,
      int maxBatchRows)
      throws IOException {
    this.reader = reader;
    try {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      Schema target = schema != null ? schema : fileArrowSchema(reader);
      this.root = VectorSchemaRoot.create(target, allocator);
      // Size the vectors for the first batch, not Arrow's default of 3970 rows: a reader of a
      // 100-row group would otherwise hold ~40x the memory its rows need (the feed keeps a
      // shuffle window of such readers open).
      List<BlockMetaData> groups = reader.getRowGroups();
      if (firstGroup >= 0 && firstGroup < groups.size()) {
        int rows = (int) Math.max(1, Math.min(maxBatchRows, groups.get(firstGroup).getRowCount()));
        for (FieldVector vector : root.getFieldVectors()) {
          vector.setInitialCapacity(rows);
        }
      }
      this.root.allocateNew();
      List<Type> requested = new ArrayList<>();
      List<Type> columnar = new ArrayList<>();
      List<FieldVector> columnarVectors = new ArrayList<>();
      List<Type> assembled = new ArrayList<>();
      for (Field field : target.getFields()) {
        if (fileSchema.containsField(field.getName())) {
          Type type = fileSchema.getType(field.getName());
          FieldVector vector = root.getVector(field.getName());
          requested.add(type);
          if (ColumnarParquetDecoder.supports(type, vector)) {
            columnar.add(type);
            columnarVectors.add(vector);
          } else {
            assembled.add(type);
          }
        }
      }
      reader.setRequestedSchema(new MessageType(fileSchema.getName(), requested));
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      this.decoder =
          columnar.isEmpty()
              ? null
              : ColumnarParquetDecoder.create(fileSchema, columnar, columnarVectors, createdBy);
      MessageType requestedSchema = new MessageType(fileSchema.getName(), assembled);
      this.noColumns = assembled.isEmpty();
      this.columnIo = new ColumnIOFactory(false).getColumnIO(requestedSchema, fileSchema, false);
      List<FieldVector> vectors = root.getFieldVectors();
      this.converter = new ArrowConverters.RootConverter(vectors, requestedSchema);
      this.materializer =
          new RecordMaterializer<>() {
            @Override
            public Object getCurrentRecord() {
              return null;
            }

            @Override
            public GroupConverter getRootConverter() {
              return converter;
            }
          };
      int total = reader.getRowGroups().size();
      if (firstGroup < 0 || firstGroup > total) {
        throw new IllegalArgumentException(
            "Cannot read row group " + firstGroup + ": the file has " + total);
      }
      for (int i = 0; i < firstGroup; i++) {
        reader.skipNextRowGroup();
      }
      this.currentGroup = firstGroup;
      this.groupsLeft =
          groupCount < 0 ? total - firstGroup : Math.min(groupCount, total - firstGroup);
      this.maxBatchRows = Math.max(1, maxBatchRows);
    } catch (IOException | RuntimeException e) {
      reader.close();
      throw e;
    }
  }

  /**
   * Opens parquet-mr's reader over the buffer's remaining bytes, without copying them, with the
   * footer parsed once per distinct footer ({@link ParquetFooters}).
   */
  public static ParquetFileReader openFile(ByteBuffer bytes) throws IOException {
    ByteArrayInputFile file = new ByteArrayInputFile(bytes);
    ParquetReadOptions options = ParquetReadDefaults.options();
    SeekableInputStream in = file.newStream();
    ParquetMetadata footer = ParquetFooters.footer(file, bytes, options, in);
    return new ParquetFileReader(file, footer, options, in);
  }

  /** Reads and parses the footer of a file read through its own streams. */
  static ParquetMetadata readFooter(InputFile file, ParquetReadOptions options) throws IOException {
    try (SeekableInputStream in = file.newStream()) {
      return ParquetFileReader.readFooter(file, options, in);
    }
  }

  /** Opens parquet-mr's reader over a file read through its own streams, with a known footer. */
  static ParquetFileReader openFile(
      InputFile file, ParquetMetadata footer, ParquetReadOptions options) throws IOException {
    SeekableInputStream in = file.newStream();
    try {
      return new ParquetFileReader(file, footer, options, in);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The Arrow schema stored in the file (ARROW:schema), or one derived from its Parquet schema. */
  public static Schema fileArrowSchema(ParquetFileReader reader) throws IOException {
    Map<String, String> kv = reader.getFooter().getFileMetaData().getKeyValueMetaData();
    String encoded = kv.get("ARROW:schema");
    if (encoded != null) {
      try {
        return SchemaCodec.fromBase64(encoded);
      } catch (IOException | RuntimeException e) {
        // Fall back to the Parquet schema.
      }
    }
    return ParquetSchemas.toArrow(reader.getFooter().getFileMetaData().getSchema());
  }

  @Override
  public boolean next() {
    try {
      while (rowsLeftInGroup == 0) {
        if (groupsLeft == 0) {
          return false;
        }
        PageReadStore pages = reader.readNextRowGroup();
        if (pages == null) {
          groupsLeft = 0;
          return false;
        }
        groupsLeft--;
        rowsLeftInGroup = pages.getRowCount();
        records = noColumns ? null : columnIo.getRecordReader(pages, materializer);
        if (decoder != null) {
          decoder.start(pages, reader.getRowGroups().get(currentGroup));
        }
        currentGroup++;
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "Cannot read a Parquet row group: " + e.getMessage(), e);
    }
    int n = (int) Math.min(maxBatchRows, rowsLeftInGroup);
    for (FieldVector vector : root.getFieldVectors()) {
      vector.reset();
    }
    converter.reset();
    for (int i = 0; i < n && records != null; i++) {
      records.read();
    }
    if (decoder != null) {
      decoder.read(n);
    }
    rowsLeftInGroup -= n;
    root.setRowCount(n);
    return true;
  }

  @Override
  public VectorSchemaRoot root() {
    return root;
  }

  @Override
  public void close() {
    try {
      root.close();
    } finally {
      try {
        reader.close();
      } catch (IOException ignored) {
        // Releasing the input only.
      }
    }
  }
}
