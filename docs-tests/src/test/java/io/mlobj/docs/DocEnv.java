package io.mlobj.docs;

import io.mlobj.Dataset;
import io.mlobj.DatasetWriter;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.arrow.FixedShapeTensorType;
import io.mlobj.arrow.FixedShapeTensorVector;
import io.mlobj.s3server.EmbeddedS3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The world every block runs in: one embedded S3 server, a temporary home ({@code ~}) holding
 * {@code ~/.mlobj/config.properties} for it, and a working directory. Before each block the buckets
 * are emptied, every bucket the block names is created, and the example datasets it reads are
 * seeded (see {@link #prepare}).
 */
final class DocEnv implements AutoCloseable {
  /** Endpoints written in the docs, replaced by the embedded server's. */
  static final List<String> DOC_ENDPOINTS = List.of("http://127.0.0.1:9000", "http://minio:9000");

  /** The registry the CLI uses by default ({@code mlobj.registry}). */
  static final String REGISTRY = "s3a://docs-registry/registry";

  /** The example dataset's schema: what {@code s3a://<bucket>/images} holds in the docs. */
  static final Schema IMAGES =
      new Schema(
          List.of(
              Field.notNullable("id", new ArrowType.Int(64, true)),
              Field.nullable("label", new ArrowType.Int(32, true)),
              Field.nullable("split", ArrowType.Utf8.INSTANCE),
              FixedShapeTensorType.field(
                  "image", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), 3, 32, 32)));

  private static final Pattern S3A =
      Pattern.compile("s3a://([a-z0-9][a-z0-9.-]+)(/[A-Za-z0-9_./=-]*)?");
  private static final Pattern CREDENTIAL_PLACEHOLDER =
      Pattern.compile(
          "([\"'])(fs\\.s3a\\.(access|secret)\\.key)\\1(\\s*[=,]\\s*)([\"'])\\.\\.\\.\\5");
  private static final Pattern CREATED = Pattern.compile("Dataset\\.create\\(\\s*\"([^\"]+)\"");

  final EmbeddedS3 s3;
  final Path home;
  final Path work;

  DocEnv(Path dir) throws IOException {
    this.home = Files.createDirectories(dir.resolve("home"));
    this.work = Files.createDirectories(dir.resolve("work"));
    this.s3 =
        EmbeddedS3.builder().dataDir(Files.createDirectories(dir.resolve("s3"))).build().start();
    System.setProperty("mlobj.home", home.resolve(".mlobj").toString());
    writeConfig();
  }

  /** The storage settings of the embedded server. */
  Map<String, String> conf() {
    return s3.hadoopConf();
  }

  /** Rewrites {@code ~/.mlobj/config.properties} for the embedded server and the registry. */
  void writeConfig() throws IOException {
    Path file = Files.createDirectories(home.resolve(".mlobj")).resolve("config.properties");
    StringBuilder text = new StringBuilder();
    conf().forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    text.append("mlobj.registry=").append(REGISTRY).append('\n');
    Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
  }

  /**
   * Replaces the endpoints the docs use by the embedded server's, and the credentials the docs
   * leave as a {@code "..."} placeholder for the reader's own ({@code "fs.s3a.access.key", "..."}
   * in Java, {@code 'fs.s3a.secret.key' = '...'} in SQL) by the server's.
   */
  String localize(String code) {
    for (String e : DOC_ENDPOINTS) {
      code = code.replace(e, s3.endpoint());
    }
    Matcher m = CREDENTIAL_PLACEHOLDER.matcher(code);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = m.group(3).equals("access") ? s3.accessKey() : s3.secretKey();
      m.appendReplacement(
          out,
          Matcher.quoteReplacement(
              m.group(1) + m.group(2) + m.group(1) + m.group(4) + m.group(5) + value + m.group(5)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Empties every bucket, creates the buckets the block names, and seeds each {@code
   * s3a://<bucket>/.../images} (or {@code .../events}) dataset it names but does not create itself
   * ({@code Dataset.create("...")}): versions 1 (created, empty), 2 and 3 (16 rows each) of {@link
   * #IMAGES}, partitioned by {@code split}.
   */
  void prepare(String code) throws IOException {
    wipe();
    writeConfig();
    s3.createBucket("docs-registry");
    Set<String> created = new LinkedHashSet<>();
    Matcher c = CREATED.matcher(code);
    while (c.find()) {
      created.add(c.group(1));
    }
    Set<String> images = new LinkedHashSet<>();
    Matcher m = S3A.matcher(code);
    while (m.find()) {
      String bucket = m.group(1);
      s3.createBucket(bucket);
      String path = m.group(2) == null ? "" : m.group(2);
      int at = path.indexOf('@');
      path = at >= 0 ? path.substring(0, at) : path;
      String uri = "s3a://" + bucket + path;
      if ((uri.endsWith("/images") || uri.endsWith("/events")) && !created.contains(uri)) {
        images.add(uri);
      }
    }
    for (String uri : images) {
      seedImages(uri);
    }
  }

  /** Empties the working directory. */
  void cleanWork() throws IOException {
    deleteBelow(work);
  }

  private void wipe() throws IOException {
    try (Stream<Path> buckets = Files.list(s3.dataDir())) {
      for (Path bucket : buckets.toList()) {
        deleteBelow(bucket);
      }
    }
  }

  private static void deleteBelow(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.delete(p);
        }
      }
    }
  }

  /**
   * The images dataset at {@code uri}: versions 1 (empty), 2 and 3, and a Parquet file of 16 more
   * rows at {@code incoming/part-0.parquet} that is not a shard yet (for {@code mlobj import}).
   */
  void seedImages(String uri) {
    Dataset dataset = Dataset.create(uri, conf(), IMAGES, List.of("split"), Map.of());
    append(dataset, 0);
    append(dataset, 16);
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = imagesBatch(allocator, 32, 16)) {
      List<Shard> written;
      try (DatasetWriter writer =
          dataset.newWriter(IMAGES).format(ShardFormat.PARQUET).build(allocator)) {
        writer.write(root);
        written = writer.complete();
      }
      for (Shard shard : written) {
        dataset
            .store()
            .put("incoming/part-0.parquet", dataset.store().read(shard.path()), Map.of());
        dataset.store().delete(shard.path());
      }
    }
  }

  private static void append(Dataset dataset, int first) {
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = imagesBatch(allocator, first, 16)) {
      List<Shard> shards;
      try (DatasetWriter writer = dataset.newWriter(IMAGES).build(allocator)) {
        writer.write(root);
        shards = writer.complete();
      }
      dataset.newAppend().addShards(shards).commit();
    }
  }

  /** Rows {@code first..first+rows-1} of the images schema: even ids train, odd val. */
  static VectorSchemaRoot imagesBatch(BufferAllocator allocator, int first, int rows) {
    VectorSchemaRoot root = VectorSchemaRoot.create(IMAGES, allocator);
    BigIntVector id = (BigIntVector) root.getVector("id");
    IntVector label = (IntVector) root.getVector("label");
    VarCharVector split = (VarCharVector) root.getVector("split");
    FixedSizeListVector image =
        ((FixedShapeTensorVector) root.getVector("image")).getUnderlyingVector();
    Float4Vector values = (Float4Vector) image.getDataVector();
    for (int i = 0; i < rows; i++) {
      long v = first + i;
      id.setSafe(i, v);
      label.setSafe(i, (int) (v % 10));
      split.setSafe(i, (v % 2 == 0 ? "train" : "val").getBytes(StandardCharsets.UTF_8));
      image.setNotNull(i);
      for (int e = 0; e < 3072; e++) {
        values.setSafe(i * 3072 + e, ((v + e) % 256) / 255f);
      }
    }
    root.setRowCount(rows);
    return root;
  }

  /** The settings as a mutable map, for contexts that add to them. */
  Map<String, String> confCopy() {
    return new LinkedHashMap<>(conf());
  }

  @Override
  public void close() {
    s3.close();
  }
}
