package io.mlobj.feed.internal;

import io.mlobj.Dataset;
import io.mlobj.MlobjErrors;
import io.mlobj.ScanTask;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.FixedShapeTensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads single rows of Arrow IPC shards with ranged reads of only the bytes those rows occupy: for
 * each column the row's slice of its validity, offsets and values buffers, not the whole record
 * batch (which {@link RangedBlocks} reads). The file footer and each record batch's metadata (where
 * its buffers lie) are read once and kept; reading a footer also reads the headers of the shard's
 * record batches in the background, each with the start of its body. Buffers of at most {@value
 * #NARROW} bytes (ids, labels, short strings) are read whole once and kept (at most {@value
 * #NARROW_BYTES} bytes in all), so a warm take of one image sample is one ranged GET of that
 * image's bytes. Other ranges closer than {@value #HOLE} bytes are merged, and a round's reads run
 * in parallel. Variable-width columns (strings, lists) need one more round: their offsets first.
 *
 * <p>Serves what it can: Arrow IPC shards without body compression or dictionaries, with columns of
 * fixed-width, boolean, string/binary, list, fixed-size list, struct and extension (tensor) types.
 * Anything else answers null, and the caller reads whole blocks instead. Like any ranged read, it
 * cannot verify the shard's CRC32C (it covers the whole object); bounds are checked against the
 * batch metadata, so malformed metadata fails the take instead of reading past a buffer.
 */
final class IpcRows {
  /** Ranges this close are fetched as one (pyarrow's default hole size for coalesced reads). */
  static final int HOLE = 8 << 10;

  /** Bytes read from a shard's end at first: the footer and its length, in one request mostly. */
  private static final int TAIL = 64 << 10;

  private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

  /** A shard's footer: schema, record batch blocks, and where each top-level field's data lies. */
  private record Footer(
      Schema schema, List<ArrowBlock> batches, Map<String, int[]> fieldPositions) {}

  /** A record batch's metadata: where its body starts, its nodes and buffers (body-relative). */
  private record Batch(
      boolean compressed,
      long bodyStart,
      long[] nodeLength,
      long[] nodeNulls,
      long[] bufOffset,
      long[] bufLength) {}

  /** Buffers of at most this many bytes are read whole and kept (see {@link #narrow}). */
  static final int NARROW = 64 << 10;

  /** Bytes of a record batch's body read with its header: the leading narrow buffers. */
  static final int PREFIX = 16 << 10;

  /** Shards of at most this many record batches have all their headers read ahead. */
  static final int PREFETCH_BATCHES = 128;

  /** Most bytes of narrow buffers kept. */
  static final long NARROW_BYTES = 64L << 20;

  private final Map<String, CompletableFuture<Footer>> footers = lru(4096);
  private final LinkedHashMap<String, byte[]> narrow = new LinkedHashMap<>(16, 0.75f, true);
  private long narrowBytes;
  private final Map<String, CompletableFuture<Batch>> batches = lru(65536);
  private final ExecutorService pool;
  private final FeedMetrics metrics;

  IpcRows(ExecutorService pool, FeedMetrics metrics) {
    this.pool = pool;
    this.metrics = metrics;
  }

  /**
   * Reads row {@code rows[i]} of block {@code tasks[i]} for each {@code i}, as one single-row root
   * each (the caller closes them), with the columns of {@code wanted} (types as in the files).
   * Returns null when a shard or column is not one this class reads by row (see the class doc).
   */
  VectorSchemaRoot[] read(
      Dataset dataset,
      long version,
      ScanTask[] tasks,
      int[] rows,
      Schema wanted,
      BufferAllocator allocator) {
    FixedShapeTensorType.ensureRegistered();
    int n = tasks.length;
    Footer[] footer = new Footer[n];
    Batch[] batch = new Batch[n];
    Schema[] schema = new Schema[n];
    try {
      for (int i = 0; i < n; i++) {
        Shard shard = tasks[i].shard();
        if (!ShardFormat.ARROW.equals(shard.format())) {
          return null;
        }
        footer[i] = footer(dataset, shard);
        schema[i] = fileFields(footer[i].schema(), wanted);
        if (schema[i] == null
            || !footer[i].fieldPositions().keySet().containsAll(fieldNames(schema[i]))) {
          return null; // a column missing, of another type, or of a type not sliced here
        }
        int index = Math.max(0, tasks[i].firstBatch());
        if (index >= footer[i].batches().size()) {
          throw new IOException("record batch " + index + " is missing");
        }
        batch[i] = batch(dataset, shard, index, footer[i].batches().get(index));
        if (batch[i].compressed()) {
          return null;
        }
        if (rows[i] < 0 || rows[i] >= batch[i].nodeLength()[0]) {
          throw new IOException(
              "row " + rows[i] + " is beyond record batch " + index + " of the file");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw unreadable(dataset, version, tasks, e);
    }
    Job[] jobs = new Job[n];
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String batchKey = key(dataset, tasks[i].shard()) + "@" + Math.max(0, tasks[i].firstBatch());
      jobs[i] = new Job(this, batchKey, tasks[i].shard(), batch[i], schema[i], allocator);
      int outNode = 0;
      int outBuf = 0;
      for (Field field : schema[i].getFields()) {
        int[] at = footer[i].fieldPositions().get(field.getName());
        steps.add(new Slice(jobs[i], field, at[0], at[1], outNode, outBuf, rows[i], rows[i] + 1));
        outNode += nodes(field);
        outBuf += buffers(field);
      }
    }
    VectorSchemaRoot[] out = new VectorSchemaRoot[n];
    try {
      while (!steps.isEmpty()) {
        List<Read> reads = new ArrayList<>();
        List<Step> next = new ArrayList<>();
        for (Step s : steps) {
          s.expand(reads, next);
        }
        next.addAll(fetch(dataset, reads));
        steps = next;
      }
      for (int i = 0; i < n; i++) {
        out[i] = jobs[i].load();
      }
      return out;
    } catch (IOException | RuntimeException e) {
      for (VectorSchemaRoot root : out) {
        if (root != null) {
          root.close();
        }
      }
      throw unreadable(dataset, version, tasks, e);
    } finally {
      for (Job job : jobs) {
        job.release();
      }
    }
  }

  /** A kept narrow buffer (whole), or null. */
  private byte[] narrow(String key) {
    synchronized (narrow) {
      return narrow.get(key);
    }
  }

  private void keepNarrow(String key, byte[] bytes) {
    synchronized (narrow) {
      byte[] old = narrow.put(key, bytes);
      narrowBytes += bytes.length - (old == null ? 0 : old.length);
      var it = narrow.values().iterator();
      while (narrowBytes > NARROW_BYTES && it.hasNext()) {
        narrowBytes -= it.next().length;
        it.remove();
      }
    }
  }

  private static RuntimeException unreadable(
      Dataset dataset, long version, ScanTask[] tasks, Exception e) {
    if (e instanceof io.mlobj.MlobjException m) {
      return m;
    }
    String objects =
        Arrays.stream(tasks)
            .map(t -> dataset.objectUri(t.shard().path()))
            .distinct()
            .reduce((a, b) -> a + ", " + b)
            .orElse("");
    return MlobjErrors.unreadableShard(dataset.uri(), version, objects, String.valueOf(e));
  }

  // ---- metadata, read once per shard and per record batch

  private static String key(Dataset dataset, Shard shard) {
    return dataset.objectUri(shard.path()) + "#" + shard.bytes() + "#" + shard.crc32cHex();
  }

  /**
   * The shard's footer (read once; takes arriving at once share the read instead of each fetching
   * and parsing it).
   */
  private Footer footer(Dataset dataset, Shard shard) throws IOException {
    String key = key(dataset, shard);
    CompletableFuture<Footer> future;
    boolean load = false;
    synchronized (footers) {
      future = footers.get(key);
      if (future == null) {
        future = new CompletableFuture<>();
        footers.put(key, future);
        load = true;
      }
    }
    if (load) {
      try {
        Footer f = loadFooter(dataset, shard);
        future.complete(f);
        if (!f.fieldPositions().isEmpty() && f.batches().size() <= PREFETCH_BATCHES) {
          prefetchBatches(dataset, shard, f.batches());
        }
      } catch (IOException | RuntimeException e) {
        synchronized (footers) {
          footers.remove(key, future); // not kept: a later take tries again
        }
        future.completeExceptionally(e);
      }
    }
    return join(future);
  }

  private Footer loadFooter(Dataset dataset, Shard shard) throws IOException {
    long size = shard.bytes();
    int tailLength = (int) Math.min(size, TAIL);
    byte[] tail = range(dataset, shard.path(), size - tailLength, tailLength);
    if (tailLength < 10 + MAGIC.length
        || !Arrays.equals(tail, tailLength - MAGIC.length, tailLength, MAGIC, 0, MAGIC.length)) {
      throw new IOException("not an Arrow IPC file (no ARROW1 magic at its end)");
    }
    int footerLength =
        ByteBuffer.wrap(tail, tailLength - 10, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (footerLength <= 0 || footerLength > size - 10 - 8) {
      throw new IOException("footer length " + footerLength + " does not fit the file");
    }
    ByteBuffer bytes =
        footerLength + 10 <= tailLength
            ? ByteBuffer.wrap(tail, tailLength - 10 - footerLength, footerLength).slice()
            : ByteBuffer.wrap(range(dataset, shard.path(), size - 10 - footerLength, footerLength));
    ArrowFooter parsed =
        new ArrowFooter(
            org.apache.arrow.flatbuf.Footer.getRootAsFooter(bytes.order(ByteOrder.LITTLE_ENDIAN)));
    Map<String, int[]> positions = new LinkedHashMap<>();
    boolean dictionaries = !parsed.getDictionaries().isEmpty();
    int node = 0;
    int buf = 0;
    for (Field field : parsed.getSchema().getFields()) {
      // Unsupported fields are left out: a take asking for one reads whole blocks instead.
      if (!dictionaries && supported(field)) {
        positions.put(field.getName(), new int[] {node, buf});
      }
      node += nodes(field);
      buf += buffers(field);
    }
    return new Footer(parsed.getSchema(), List.copyOf(parsed.getRecordBatches()), positions);
  }

  /**
   * The record batch's metadata (read once; concurrent callers share the read). Its {@code
   * compressed} flag says the body cannot be sliced.
   */
  private Batch batch(Dataset dataset, Shard shard, int index, ArrowBlock block)
      throws IOException {
    String key = key(dataset, shard) + "@" + index; // as Job's batchKey
    CompletableFuture<Batch> future;
    boolean load = false;
    synchronized (batches) {
      future = batches.get(key);
      if (future == null) {
        future = new CompletableFuture<>();
        batches.put(key, future);
        load = true;
      }
    }
    if (load) {
      try {
        future.complete(loadBatch(dataset, shard, index, block, key));
      } catch (IOException | RuntimeException e) {
        synchronized (batches) {
          batches.remove(key, future); // not kept: a later take tries again
        }
        future.completeExceptionally(e);
      }
    }
    return join(future);
  }

  /** The value of a shared read, or the failure it ended with. */
  private static <T> T join(CompletableFuture<T> future) throws IOException {
    try {
      return future.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
  }

  /**
   * Reads the metadata of every record batch of a shard in the background (after its footer was
   * read for a take), so later takes of its other batches need only their rows' bytes.
   */
  private void prefetchBatches(Dataset dataset, Shard shard, List<ArrowBlock> blocks) {
    for (int i = 0; i < blocks.size(); i++) {
      int index = i;
      String key = key(dataset, shard) + "@" + index;
      synchronized (batches) {
        if (batches.containsKey(key)) {
          continue;
        }
      }
      pool.execute(
          () -> {
            try {
              batch(dataset, shard, index, blocks.get(index));
            } catch (IOException | RuntimeException e) {
              // A take that needs it reads it again and reports the failure.
            }
          });
    }
  }

  /**
   * Reads a record batch's message header together with the start of its body, and keeps the narrow
   * buffers found whole in that start (leading id-like columns): one request for both.
   */
  private Batch loadBatch(Dataset dataset, Shard shard, int index, ArrowBlock block, String key)
      throws IOException {
    if (block.getOffset() < 0
        || block.getMetadataLength() < 8
        || block.getBodyLength() < 0
        || block.getOffset() + block.getMetadataLength() + block.getBodyLength() > shard.bytes()) {
      throw new IOException("record batch " + index + " lies outside the file");
    }
    int prefix = (int) Math.min(block.getBodyLength(), PREFIX);
    byte[] read =
        range(dataset, shard.path(), block.getOffset(), block.getMetadataLength() + prefix);
    ByteBuffer meta =
        ByteBuffer.wrap(read, 0, block.getMetadataLength()).order(ByteOrder.LITTLE_ENDIAN);
    int length = meta.getInt();
    if (length == -1) { // continuation marker, then the length
      length = meta.getInt();
    }
    if (length <= 0 || length > meta.remaining()) {
      throw new IOException("record batch " + index + " has a malformed message header");
    }
    Message message = Message.getRootAsMessage(meta.slice().order(ByteOrder.LITTLE_ENDIAN));
    if (message.headerType() != MessageHeader.RecordBatch) {
      throw new IOException("block " + index + " is not a record batch message");
    }
    RecordBatch rb = (RecordBatch) message.header(new RecordBatch());
    long bodyLength = block.getBodyLength();
    long[] nodeLength = new long[rb.nodesLength()];
    long[] nodeNulls = new long[rb.nodesLength()];
    for (int i = 0; i < nodeLength.length; i++) {
      nodeLength[i] = rb.nodes(i).length();
      nodeNulls[i] = rb.nodes(i).nullCount();
    }
    long[] bufOffset = new long[rb.buffersLength()];
    long[] bufLength = new long[rb.buffersLength()];
    for (int i = 0; i < bufOffset.length; i++) {
      bufOffset[i] = rb.buffers(i).offset();
      bufLength[i] = rb.buffers(i).length();
      if (bufOffset[i] < 0 || bufLength[i] < 0 || bufOffset[i] + bufLength[i] > bodyLength) {
        throw new IOException("buffer " + i + " of record batch " + index + " lies outside it");
      }
    }
    if (nodeLength.length == 0) {
      throw new IOException("record batch " + index + " has no columns");
    }
    boolean compressed = rb.compression() != null;
    if (!compressed) {
      for (int i = 0; i < bufOffset.length; i++) {
        if (bufLength[i] > 0 && bufLength[i] <= NARROW && bufOffset[i] + bufLength[i] <= prefix) {
          int from = block.getMetadataLength() + (int) bufOffset[i];
          keepNarrow(key + "/" + i, Arrays.copyOfRange(read, from, from + (int) bufLength[i]));
        }
      }
    }
    return new Batch(
        compressed,
        block.getOffset() + block.getMetadataLength(),
        nodeLength,
        nodeNulls,
        bufOffset,
        bufLength);
  }

  /** The file's fields named by {@code wanted}, in its order; null if one is missing or differs. */
  private static Schema fileFields(Schema file, Schema wanted) {
    List<Field> out = new ArrayList<>();
    for (Field w : wanted.getFields()) {
      Field f;
      try {
        f = file.findField(w.getName());
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (f == null || !sameType(f, w)) {
        return null;
      }
      out.add(f);
    }
    return new Schema(out);
  }

  private static List<String> fieldNames(Schema schema) {
    return schema.getFields().stream().map(Field::getName).toList();
  }

  private static boolean sameType(Field a, Field b) {
    if (!a.getType().equals(b.getType()) || a.getChildren().size() != b.getChildren().size()) {
      return false;
    }
    for (int i = 0; i < a.getChildren().size(); i++) {
      if (!sameType(a.getChildren().get(i), b.getChildren().get(i))) {
        return false;
      }
    }
    return true;
  }

  private static ArrowType storage(ArrowType type) {
    return type instanceof ArrowType.ExtensionType ext ? storage(ext.storageType()) : type;
  }

  private static boolean supported(Field field) {
    if (field.getDictionary() != null) {
      return false;
    }
    ArrowType t = storage(field.getType());
    boolean ok =
        switch (t.getTypeID()) {
          case Null,
              Int,
              FloatingPoint,
              Decimal,
              Date,
              Time,
              Timestamp,
              Duration,
              Interval,
              FixedSizeBinary,
              Bool,
              Utf8,
              Binary,
              LargeUtf8,
              LargeBinary,
              List,
              LargeList,
              FixedSizeList,
              Struct,
              Map ->
              true;
          default -> false;
        };
    if (!ok) {
      return false;
    }
    for (Field child : field.getChildren()) {
      if (!supported(child)) {
        return false;
      }
    }
    return true;
  }

  private static int nodes(Field field) {
    int n = 1;
    for (Field child : field.getChildren()) {
      n += nodes(child);
    }
    return n;
  }

  private static int buffers(Field field) {
    int n = TypeLayout.getTypeBufferCount(field.getType());
    for (Field child : field.getChildren()) {
      n += buffers(child);
    }
    return n;
  }

  // ---- slicing

  /** The single-row batch being built for one requested row: its nodes and buffers. */
  private static final class Job {
    final IpcRows owner;
    final String batchKey;
    final Shard shard;
    final Batch batch;
    final Schema schema;
    final BufferAllocator allocator;
    final ArrowFieldNode[] nodes;
    final ArrowBuf[] buffers;

    Job(
        IpcRows owner,
        String batchKey,
        Shard shard,
        Batch batch,
        Schema schema,
        BufferAllocator allocator) {
      this.owner = owner;
      this.batchKey = batchKey;
      this.shard = shard;
      this.batch = batch;
      this.schema = schema;
      this.allocator = allocator;
      int nodeCount = 0;
      int bufferCount = 0;
      for (Field f : schema.getFields()) {
        nodeCount += nodes(f);
        bufferCount += buffers(f);
      }
      this.nodes = new ArrowFieldNode[nodeCount];
      this.buffers = new ArrowBuf[bufferCount];
    }

    ArrowBuf copy(byte[] from, int offset, int length) {
      ArrowBuf buf = allocator.buffer(Math.max(length, 1));
      buf.setBytes(0, from, offset, length);
      buf.writerIndex(length);
      return buf;
    }

    VectorSchemaRoot load() {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] == null) {
          throw new IllegalStateException("node " + i + " of the row was not read");
        }
      }
      for (int i = 0; i < buffers.length; i++) {
        if (buffers[i] == null) {
          buffers[i] = allocator.getEmpty();
        }
      }
      VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
      try (ArrowRecordBatch rb =
          new ArrowRecordBatch(
              (int) nodes[0].getLength(), Arrays.asList(nodes), Arrays.asList(buffers))) {
        new VectorLoader(root).load(rb);
        return root;
      } catch (RuntimeException e) {
        root.close();
        throw e;
      }
    }

    /** Drops this job's own references (a loaded root keeps its own). */
    void release() {
      for (int i = 0; i < buffers.length; i++) {
        if (buffers[i] != null) {
          buffers[i].close();
          buffers[i] = null;
        }
      }
    }
  }

  /** A step of reading rows: adds ranged reads now, and steps for the next round. */
  @FunctionalInterface
  private interface Step {
    void expand(List<Read> reads, List<Step> next);
  }

  /** A ranged read of part of a record batch buffer, and what to do with its bytes. */
  private record Read(
      Shard shard, long position, int length, Consumer then, byte[] have, int haveOffset) {}

  /** Consumes the bytes of a read, possibly adding steps for the next round. */
  @FunctionalInterface
  private interface Consumer {
    void accept(byte[] bytes, int offset, List<Step> next);
  }

  /**
   * Rows [from, to) of a field: input node {@code node} and first buffer {@code buf} in the record
   * batch; output node and first buffer in the job's single-row batch.
   */
  private record Slice(
      Job job, Field field, int node, int buf, int outNode, int outBuf, long from, long to)
      implements Step {

    @Override
    public void expand(List<Read> reads, List<Step> next) {
      Batch b = job.batch;
      long n = to - from;
      ArrowType type = storage(field.getType());
      if (type.getTypeID() == ArrowType.ArrowTypeID.Null) {
        job.nodes[outNode] = new ArrowFieldNode(n, n);
        return;
      }
      if (from < 0 || to > b.nodeLength()[node]) {
        throw new IllegalStateException(
            "rows " + from + ".." + to + " lie outside field " + field.getName());
      }
      validity(reads, n);
      switch (type.getTypeID()) {
        case Bool -> bits(reads, buf + 1, outBuf + 1, n, null);
        case Utf8, Binary, LargeUtf8, LargeBinary -> offsets(reads, type, n, true);
        case List, LargeList, Map -> offsets(reads, type, n, false);
        case FixedSizeList -> {
          long size = ((ArrowType.FixedSizeList) type).getListSize();
          child(from * size, to * size).expand(reads, next);
        }
        case Struct -> {
          int nodeAt = node + 1;
          int bufAt = buf + 1;
          int outNodeAt = outNode + 1;
          int outBufAt = outBuf + 1;
          for (Field c : field.getChildren()) {
            new Slice(job, c, nodeAt, bufAt, outNodeAt, outBufAt, from, to).expand(reads, next);
            nodeAt += nodes(c);
            bufAt += buffers(c);
            outNodeAt += nodes(c);
            outBufAt += buffers(c);
          }
        }
        default -> {
          int width =
              TypeLayout.getTypeLayout(type).getBufferLayouts().stream()
                  .filter(l -> l.getType() == BufferLayout.BufferType.DATA)
                  .findFirst()
                  .orElseThrow()
                  .getTypeBitWidth();
          if (width % 8 != 0) {
            throw new IllegalStateException(
                "unsupported bit width " + width + " of field " + field.getName());
          }
          bytes(reads, buf + 1, outBuf + 1, from * (width / 8), n * (width / 8));
        }
      }
    }

    /** Rows [cFrom, cTo) of the only child, whose node and buffers follow this field's. */
    private Slice child(long cFrom, long cTo) {
      int own = TypeLayout.getTypeBufferCount(field.getType());
      return new Slice(
          job,
          field.getChildren().get(0),
          node + 1,
          buf + own,
          outNode + 1,
          outBuf + own,
          cFrom,
          cTo);
    }

    private void validity(List<Read> reads, long n) {
      Batch b = job.batch;
      if (b.nodeNulls()[node] == 0) {
        job.nodes[outNode] = new ArrowFieldNode(n, 0);
        return;
      }
      if (b.nodeNulls()[node] == b.nodeLength()[node]) { // all null: writers may omit the bits
        job.nodes[outNode] = new ArrowFieldNode(n, n);
        return;
      }
      if (b.bufLength()[buf] == 0) {
        throw new IllegalStateException(
            "field " + field.getName() + " has nulls but no validity buffer");
      }
      bits(reads, buf, outBuf, n, set -> job.nodes[outNode] = new ArrowFieldNode(n, n - set));
    }

    /** Bits [from, to) of buffer {@code in}, shifted to start at bit 0 of output buffer out. */
    private void bits(List<Read> reads, int in, int out, long n, LongConsumer setBits) {
      if (n == 0) {
        job.buffers[out] = job.allocator.getEmpty();
        if (setBits != null) {
          setBits.accept(0);
        }
        return;
      }
      long first = from >>> 3;
      long last = (to - 1) >>> 3;
      read(
          reads,
          in,
          first,
          (int) (last - first + 1),
          (bytes, offset, next) -> {
            byte[] dst = new byte[(int) ((n + 7) >>> 3)];
            long set = 0;
            for (long i = 0; i < n; i++) {
              long bit = from + i - (first << 3);
              if ((bytes[offset + (int) (bit >>> 3)] >> (bit & 7) & 1) != 0) {
                dst[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
                set++;
              }
            }
            job.buffers[out] = job.copy(dst, 0, dst.length);
            if (setBits != null) {
              setBits.accept(set);
            }
          });
    }

    private void bytes(List<Read> reads, int in, int out, long start, long length) {
      if (length == 0) {
        job.buffers[out] = job.allocator.getEmpty();
        return;
      }
      read(
          reads,
          in,
          start,
          Math.toIntExact(length),
          (bytes, offset, next) -> job.buffers[out] = job.copy(bytes, offset, (int) length));
    }

    /** Offsets of rows [from, to], rebased to 0; next round, the values or child rows they span. */
    private void offsets(List<Read> reads, ArrowType type, long n, boolean values) {
      int width =
          switch (type.getTypeID()) {
            case LargeUtf8, LargeBinary, LargeList -> 8;
            default -> 4;
          };
      read(
          reads,
          buf + 1,
          from * width,
          Math.toIntExact((n + 1) * width),
          (bytes, offset, next) -> {
            ByteBuffer src = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer dst =
                ByteBuffer.allocate((int) (n + 1) * width).order(ByteOrder.LITTLE_ENDIAN);
            long start = width == 8 ? src.getLong(offset) : src.getInt(offset);
            long end = start;
            for (int i = 0; i <= n; i++) {
              int at = offset + i * width;
              long o = width == 8 ? src.getLong(at) : src.getInt(at);
              if (o < end) {
                throw new IllegalStateException(
                    "offsets of field " + field.getName() + " decrease");
              }
              end = o;
              if (width == 8) {
                dst.putLong(i * width, o - start);
              } else {
                dst.putInt(i * width, (int) (o - start));
              }
            }
            job.buffers[outBuf + 1] = job.copy(dst.array(), 0, dst.capacity());
            long vFrom = start;
            long vTo = end;
            next.add(
                values
                    ? (r, nx) -> bytes(r, buf + 2, outBuf + 2, vFrom, vTo - vFrom)
                    : child(vFrom, vTo));
          });
    }

    /**
     * Adds a read of {@code length} bytes at {@code start} of buffer {@code in}, bounds checked.
     */
    private void read(List<Read> reads, int in, long start, int length, Consumer then) {
      Batch b = job.batch;
      if (start < 0 || start + length > b.bufLength()[in]) {
        throw new IllegalStateException(
            "bytes "
                + start
                + ".."
                + (start + length)
                + " lie outside buffer "
                + in
                + " ("
                + b.bufLength()[in]
                + " bytes) of field "
                + field.getName());
      }
      long at = b.bodyStart() + b.bufOffset()[in];
      if (b.bufLength()[in] > NARROW) {
        reads.add(new Read(job.shard, at + start, length, then, null, 0));
        return;
      }
      // A narrow buffer (an id or label column): read whole once and kept, so that later rows
      // of this batch need no request for it.
      String key = job.batchKey + "/" + in;
      byte[] whole = job.owner.narrow(key);
      if (whole != null) {
        reads.add(new Read(job.shard, at + start, length, then, whole, (int) start));
        return;
      }
      int size = (int) b.bufLength()[in];
      reads.add(
          new Read(
              job.shard,
              at,
              size,
              (bytes, offset, next) -> {
                byte[] copy = Arrays.copyOfRange(bytes, offset, offset + size);
                job.owner.keepNarrow(key, copy);
                then.accept(copy, (int) start, next);
              },
              null,
              0));
    }
  }

  // ---- fetching

  /** Fetches the reads (merged where close, in parallel) and runs their consumers in order. */
  private List<Step> fetch(Dataset dataset, List<Read> reads) throws IOException {
    List<Step> next = new ArrayList<>();
    List<Read> fetched = new ArrayList<>();
    for (Read r : reads) {
      if (r.have() != null) {
        r.then().accept(r.have(), r.haveOffset(), next);
      } else {
        fetched.add(r);
      }
    }
    reads = fetched;
    if (reads.isEmpty()) {
      return next;
    }
    reads.sort(
        Comparator.comparing((Read r) -> r.shard().path()).thenComparingLong(Read::position));
    List<long[]> merged = new ArrayList<>(); // {first read, last read + 1, position, end}
    for (int i = 0; i < reads.size(); i++) {
      Read r = reads.get(i);
      long[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null
          && reads.get((int) last[0]).shard().path().equals(r.shard().path())
          && r.position() <= last[3] + HOLE) {
        last[1] = i + 1;
        last[3] = Math.max(last[3], r.position() + r.length());
      } else {
        merged.add(new long[] {i, i + 1, r.position(), r.position() + r.length()});
      }
    }
    List<Future<byte[]>> futures = new ArrayList<>();
    byte[][] got = new byte[merged.size()][];
    for (int m = 1; m < merged.size(); m++) {
      long[] g = merged.get(m);
      String path = reads.get((int) g[0]).shard().path();
      futures.add(pool.submit(() -> range(dataset, path, g[2], (int) (g[3] - g[2]))));
    }
    long[] g0 = merged.get(0);
    got[0] = range(dataset, reads.get((int) g0[0]).shard().path(), g0[2], (int) (g0[3] - g0[2]));
    for (int m = 1; m < merged.size(); m++) {
      try {
        got[m] = futures.get(m - 1).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while reading", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw new IOException(cause);
      }
    }
    for (int m = 0; m < merged.size(); m++) {
      long[] g = merged.get(m);
      for (int i = (int) g[0]; i < g[1]; i++) {
        Read r = reads.get(i);
        r.then().accept(got[m], (int) (r.position() - g[2]), next);
      }
    }
    return next;
  }

  private byte[] range(Dataset dataset, String key, long position, int length) {
    long start = System.nanoTime();
    byte[] bytes = dataset.readRange(key, position, length);
    metrics.storageWaitNanos.addAndGet(System.nanoTime() - start);
    metrics.storageBytes.addAndGet(bytes.length);
    if (bytes.length != length) {
      throw new IllegalStateException(
          "read " + bytes.length + " of " + length + " bytes at " + position + " of " + key);
    }
    return bytes;
  }

  private static <V> Map<String, V> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    };
  }
}
