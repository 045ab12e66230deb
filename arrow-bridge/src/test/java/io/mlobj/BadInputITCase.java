package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.internal.format.LogLayout;
import io.mlobj.testing.EmbeddedS3Extension;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.ThrowingSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged objects, bad settings and bad arguments each give an {@link MlobjException} of the right
 * {@link MlobjException.Kind} whose message names the dataset, version and object involved; none of
 * them loses committed data (after the damage is repaired, or for other versions, reads still
 * work).
 *
 * <p>Every dataset here has version 1 (create), 2 (ids 0..9, Arrow IPC) and 3 (ids 10..19,
 * Parquet).
 */
class BadInputITCase {
  static java.util.List<ShardFormat> formats() {
    return ShardFormat.values();
  }

  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();
  private String uri;
  private Dataset dataset;

  @BeforeEach
  void setUp() {
    uri = S3.newDatasetUri();
    dataset = SmallRows.create(uri, S3.conf());
    SmallRows.append(dataset, arrow.allocator(), ShardFormat.ARROW, 0, 0, 10);
    SmallRows.append(dataset, arrow.allocator(), ShardFormat.PARQUET, 0, 10, 10);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      MlobjException.Kind kind, ThrowingSupplier<?> call) {
    return assertThatThrownBy(call::get)
        .isInstanceOf(MlobjException.class)
        .satisfies(e -> assertThat(((MlobjException) e).kind()).isEqualTo(kind))
        .hasMessageStartingWith("Cannot ");
  }

  /** A fresh handle (no cached metadata) reads all 20 rows at version 3. */
  private void assertNothingLost() {
    Dataset reread = Dataset.open(uri, S3.conf());
    assertThat(reread.latestVersion()).isEqualTo(3);
    assertThat(SmallRows.ids(reread.latest(), arrow.allocator()))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 20).boxed().toList());
  }

  private Shard shardOf(ShardFormat format) {
    return Dataset.open(uri, S3.conf()).latest().shards().stream()
        .filter(s -> s.format() == format)
        .findFirst()
        .orElseThrow();
  }

  private List<Long> readLatest() {
    return SmallRows.ids(Dataset.open(uri, S3.conf()).latest(), arrow.allocator());
  }

  @ParameterizedTest(name = "format = {0}")
  @MethodSource("formats")
  void aCorruptedShardByteFailsTheChecksumNamingDatasetVersionAndObject(ShardFormat format) {
    Shard shard = shardOf(format);
    byte[] original = dataset.store().read(shard.path());
    byte[] damaged = original.clone();
    damaged[damaged.length / 2] ^= 0x40;
    dataset.store().put(shard.path(), damaged, Map.of());

    assertFails(MlobjException.Kind.CORRUPT, this::readLatest)
        .hasMessageContaining("Cannot read shard " + dataset.store().uri(shard.path()))
        .hasMessageContaining("of dataset " + dataset.uri() + " at version 3")
        .hasMessageContaining("CRC32C mismatch (expected 0x" + shard.crc32cHex());

    dataset.store().put(shard.path(), original, Map.of());
    assertNothingLost();
  }

  @ParameterizedTest(name = "format = {0}")
  @MethodSource("formats")
  void aTruncatedShardIsReportedWithItsSizes(ShardFormat format) {
    Shard shard = shardOf(format);
    byte[] original = dataset.store().read(shard.path());
    dataset.store().put(shard.path(), Arrays.copyOf(original, original.length / 2), Map.of());

    assertFails(MlobjException.Kind.CORRUPT, this::readLatest)
        .hasMessageContaining(dataset.store().uri(shard.path()))
        .hasMessageContaining("at version 3")
        .hasMessageContaining(
            "it has " + original.length / 2 + " bytes, the manifest says " + original.length);

    dataset.store().put(shard.path(), original, Map.of());
    assertNothingLost();
  }

  @ParameterizedTest(name = "format = {0}")
  @MethodSource("formats")
  void aDamagedShardWithoutChecksumVerificationStillFailsAsUndecodable(ShardFormat format) {
    Shard shard = shardOf(format);
    byte[] original = dataset.store().read(shard.path());
    byte[] damaged = new byte[original.length];
    Arrays.fill(damaged, (byte) 0x5a);
    dataset.store().put(shard.path(), damaged, Map.of());

    assertFails(
            MlobjException.Kind.CORRUPT,
            () -> {
              Snapshot latest = Dataset.open(uri, S3.conf()).latest();
              Scan scan = latest.newScan().verifyChecksums(false).build();
              try (var reader = scan.open(arrow.allocator())) {
                while (reader.next()) {
                  // drain
                }
              }
              return null;
            })
        .hasMessageContaining("Cannot decode shard " + dataset.store().uri(shard.path()))
        .hasMessageContaining("at version 3");

    dataset.store().put(shard.path(), original, Map.of());
    assertNothingLost();
  }

  @Test
  void aMissingShardIsNamedAndOtherVersionsStayReadable() {
    Shard shard = shardOf(ShardFormat.PARQUET);
    byte[] original = dataset.store().read(shard.path());
    dataset.store().delete(shard.path());

    assertFails(MlobjException.Kind.NOT_FOUND, this::readLatest)
        .hasMessageContaining("Cannot read shard " + dataset.store().uri(shard.path()))
        .hasMessageContaining("at version 3")
        .hasMessageContaining("does not exist");
    assertThat(SmallRows.ids(Dataset.open(uri, S3.conf()).version(2), arrow.allocator()))
        .hasSize(10);

    dataset.store().put(shard.path(), original, Map.of());
    assertNothingLost();
  }

  @Test
  void aMissingManifestIsNamedWithTheVersionReferencingIt() {
    Snapshot latest = Dataset.open(uri, S3.conf()).latest();
    String manifest = latest.manifests().get(latest.manifests().size() - 1).path();
    byte[] original = dataset.store().read(manifest);
    dataset.store().delete(manifest);

    assertFails(MlobjException.Kind.CORRUPT, this::readLatest)
        .hasMessageContaining(dataset.store().uri(manifest))
        .hasMessageContaining("the manifest is missing although version 3 references it");
    assertThat(SmallRows.ids(Dataset.open(uri, S3.conf()).version(2), arrow.allocator()))
        .hasSize(10);

    dataset.store().put(manifest, original, Map.of());
    assertNothingLost();
  }

  @Test
  void aMalformedVersionFileIsNamedAndEarlierVersionsStayReadable() {
    String key = LogLayout.versionKey(3);
    byte[] original = dataset.store().read(key);
    dataset.store().put(key, "{\"format-version\": 1, \"version\": ".getBytes(), Map.of());

    assertFails(MlobjException.Kind.CORRUPT, () -> Dataset.open(uri, S3.conf()).latest())
        .hasMessageContaining("Cannot read version 3 of dataset " + uri)
        .hasMessageContaining("version file " + dataset.store().uri(key) + " is damaged")
        .hasMessageContaining("not valid JSON at byte");
    assertThat(SmallRows.ids(Dataset.at(uri, S3.conf()).version(2), arrow.allocator())).hasSize(10);

    dataset.store().put(key, original, Map.of());
    assertNothingLost();
  }

  @Test
  void timeTravelPassesOverDamagedVersionFilesAndNamesThem() {
    long latest = dataset.latestVersion();
    String firstKey = LogLayout.versionKey(1);
    String latestKey = LogLayout.versionKey(latest);
    byte[] first = dataset.store().read(firstKey);
    byte[] last = dataset.store().read(latestKey);
    dataset.store().put(firstKey, "garbage".getBytes(StandardCharsets.UTF_8), Map.of());
    dataset.store().put(latestKey, new byte[0], Map.of());
    Dataset fresh = Dataset.at(uri, S3.conf());

    AsOfResolution now = fresh.resolveAsOf(System.currentTimeMillis() + 60_000);
    assertThat(now.snapshot().version()).isEqualTo(latest - 1);
    assertThat(now.skippedDamaged()).extracting(HistoryEntry::version).containsExactly(latest);
    assertThat(now.note())
        .contains("Passed over damaged version " + latest + " (it is empty (0 bytes))")
        .contains("reading version " + (latest - 1));
    assertThat(fresh.asOf(System.currentTimeMillis() + 60_000).version()).isEqualTo(latest - 1);
    // Before every intact version only the damaged version 1 can have been current: its error.
    assertFails(MlobjException.Kind.CORRUPT, () -> fresh.resolveAsOf(0))
        .hasMessageContaining("Cannot read version 1 of dataset " + uri);

    dataset.store().put(firstKey, first, Map.of());
    dataset.store().put(latestKey, last, Map.of());
    assertNothingLost();
  }

  @Test
  void aVersionFileOfAnUnknownFormatVersionNamesTheSupportedOnes() {
    String key = LogLayout.versionKey(3);
    byte[] original = dataset.store().read(key);
    String newer =
        new String(original, StandardCharsets.UTF_8)
            .replaceFirst("\"format-version\"\\s*:\\s*2", "\"format-version\" : 99");
    assertThat(newer).contains("99");
    dataset.store().put(key, newer.getBytes(StandardCharsets.UTF_8), Map.of());

    assertFails(MlobjException.Kind.CORRUPT, () -> Dataset.at(uri, S3.conf()).version(3))
        .hasMessageContaining("Cannot read version 3 of dataset " + uri)
        .hasMessageContaining(dataset.store().uri(key))
        .hasMessageContaining("format-version 99 is not supported (supported: [1, 2])")
        .hasMessageContaining("upgrade mlobj");
    assertThat(SmallRows.ids(Dataset.at(uri, S3.conf()).version(2), arrow.allocator())).hasSize(10);

    dataset.store().put(key, original, Map.of());
    assertNothingLost();
  }

  @Test
  void aDamagedOrStaleLatestHintIsIgnoredBecauseReadersProbeTheLog() {
    dataset
        .store()
        .put(LogLayout.LATEST_HINT, "garbage".getBytes(StandardCharsets.UTF_8), Map.of());
    assertNothingLost();
    dataset
        .store()
        .put(LogLayout.LATEST_HINT, "{\"version\":1}".getBytes(StandardCharsets.UTF_8), Map.of());
    assertNothingLost();
    dataset
        .store()
        .put(LogLayout.LATEST_HINT, "{\"version\":99}".getBytes(StandardCharsets.UTF_8), Map.of());
    assertNothingLost();
  }

  @Test
  void wrongCredentialsAreRefusedWithoutPrintingTheSecret() {
    Map<String, String> conf = new HashMap<>(S3.conf());
    String secret = "wrong-secret-6b1f0c2e";
    conf.put("fs.s3a.secret.key", secret);

    assertFails(MlobjException.Kind.PERMISSION_DENIED, () -> Dataset.open(uri, conf))
        .hasMessageContaining("access denied (HTTP 403")
        .hasMessageContaining("fs.s3a.secret.key")
        .hasMessageContaining(uri)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(S3.server().secretKey()));
    assertNothingLost();
  }

  @Test
  void aNonexistentBucketIsNamed() {
    assertFails(
            MlobjException.Kind.NOT_FOUND,
            () -> Dataset.open("s3a://no-such-bucket-3f9a/ds", S3.conf()))
        .hasMessageContaining("s3a://no-such-bucket-3f9a/ds")
        .hasMessageContaining("bucket 'no-such-bucket-3f9a' does not exist");
  }

  @Test
  void anUnreachableEndpointIsNamedWithTheSettingToCheck() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> conf = new HashMap<>(S3.conf());
    conf.put("fs.s3a.endpoint", "http://127.0.0.1:" + closedPort);
    conf.put("fs.s3a.attempts.maximum", "2");

    assertFails(MlobjException.Kind.STORAGE, () -> Dataset.open(uri, conf))
        .hasMessageContaining(uri)
        .hasMessageContaining("cannot reach the S3 endpoint")
        .hasMessageContaining("Check fs.s3a.endpoint");
  }

  @Test
  void aMissingDatasetIsNotFound() {
    String missing = S3.newDatasetUri();
    assertFails(MlobjException.Kind.NOT_FOUND, () -> Dataset.open(missing, S3.conf()))
        .hasMessageContaining("Cannot open dataset " + missing)
        .hasMessageContaining("no mlobj dataset there");
  }

  @Test
  void wrongOptionValuesNameTheOptionAndTheValue() {
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () ->
                dataset
                    .newWriter(SmallRows.schema())
                    .compression("brotli")
                    .build(arrow.allocator()))
        .hasMessageContaining("brotli");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () ->
                dataset
                    .newWriter(SmallRows.schema())
                    .format(ShardFormat.ARROW)
                    .compression("snappy")
                    .build(arrow.allocator()))
        .hasMessageContaining("snappy");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.newWriter(SmallRows.schema()).targetShardBytes(10))
        .hasMessageContaining("'targetShardBytes' = '10'");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.newWriter(SmallRows.schema()).options(Map.of("targetShardSize", "big")))
        .hasMessageContaining("'targetShardSize' = 'big'");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.newWriter(SmallRows.schema()).options(Map.of("format", "csv")))
        .hasMessageContaining("csv");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> TimeTravel.fromOptions(Map.of("versionAsOf", "abc")))
        .hasMessageContaining("'versionAsOf' = 'abc'");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> TimeTravel.fromOptions(Map.of("versionAsOf", "0")))
        .hasMessageContaining("'versionAsOf' = '0'");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> TimeTravel.fromOptions(Map.of("timestampAsOf", "last tuesday")))
        .hasMessageContaining("'timestampAsOf' = 'last tuesday'");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> TimeTravel.fromOptions(Map.of("versionAsOf", "1", "tag", "x")))
        .hasMessageContaining("give only one of versionAsOf, timestampAsOf and tag");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.latest().newScan().select("id", "nope").build())
        .hasMessageContaining("Cannot select column 'nope' of dataset " + dataset.uri())
        .hasMessageContaining("[id, writer]");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.latest().newScan().filter(Predicates.eq("nope", 1)).build())
        .hasMessageContaining("'nope'");
    assertFails(MlobjException.Kind.INVALID_ARGUMENT, () -> dataset.latest().newScan().batchRows(0))
        .hasMessageContaining("'batchRows' = '0'");
    assertFails(MlobjException.Kind.INVALID_ARGUMENT, () -> dataset.tag("bad tag!", 2, Map.of()))
        .hasMessageContaining("Cannot use tag name 'bad tag!'");
    assertFails(MlobjException.Kind.INVALID_ARGUMENT, () -> dataset.findTag("../escape"))
        .hasMessageContaining("'../escape'");
    Map<String, String> badConf = new HashMap<>(S3.conf());
    badConf.put(MlobjConf.COMMIT_MAX_ATTEMPTS, "many");
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () ->
                SmallRows.append(
                    Dataset.open(uri, badConf), arrow.allocator(), ShardFormat.ARROW, 0, 500, 1))
        .hasMessageContaining("'" + MlobjConf.COMMIT_MAX_ATTEMPTS + "' = 'many'");
    assertNothingLost();
  }

  @Test
  void unknownVersionsTagsAndTimesAreNotFound() {
    assertFails(MlobjException.Kind.NOT_FOUND, () -> dataset.version(42))
        .hasMessageContaining("Cannot read version 42 of dataset " + dataset.uri())
        .hasMessageContaining("versions are 1..3");
    assertFails(MlobjException.Kind.NOT_FOUND, () -> dataset.tagged("release"))
        .hasMessageContaining("Cannot find tag 'release' of dataset " + dataset.uri());
    assertFails(
            MlobjException.Kind.NOT_FOUND,
            () -> dataset.snapshot(TimeTravel.fromOptions(Map.of("tag", "release"))))
        .hasMessageContaining("'release'");
    long first = dataset.version(1).timestampMillis();
    assertFails(MlobjException.Kind.NOT_FOUND, () -> dataset.asOf(first - 60_000))
        .hasMessageContaining("Cannot read dataset " + dataset.uri() + " as of ")
        .hasMessageContaining("its first version was committed later");
    assertNothingLost();
  }

  @Test
  void anIncompatibleSchemaOnAppendIsRefusedAndNothingIsCommitted() {
    Schema retyped =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Utf8()),
                Field.nullable("writer", new ArrowType.Int(32, true))));
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.newAppend().schema(retyped).commit())
        .hasMessageContaining("Cannot write to dataset " + dataset.uri())
        .hasMessageContaining("column 'id' is");
    Schema newNotNull =
        new Schema(
            List.of(
                Field.notNullable("id", new ArrowType.Int(64, true)),
                Field.nullable("writer", new ArrowType.Int(32, true)),
                Field.notNullable("extra", new ArrowType.Int(32, true))));
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.newAppend().schema(newNotNull).commit())
        .hasMessageContaining("new column 'extra' is NOT NULL");
    assertNothingLost();
  }

  private List<Shard> writeRetyped(Schema retyped) {
    try (DatasetWriter writer = dataset.newWriter(retyped).build(arrow.allocator());
        org.apache.arrow.vector.VectorSchemaRoot batch =
            org.apache.arrow.vector.VectorSchemaRoot.create(retyped, arrow.allocator())) {
      batch.allocateNew();
      ((org.apache.arrow.vector.VarCharVector) batch.getVector("id"))
          .setSafe(0, "x".getBytes(StandardCharsets.UTF_8));
      batch.setRowCount(1);
      writer.write(batch);
      return writer.complete();
    }
  }

  @Test
  void shardsOfAnIncompatibleSchemaAreRefusedWithTheirSchemaAndNeverReadAsGarbage() {
    Schema retyped = new Schema(List.of(Field.notNullable("id", new ArrowType.Utf8())));
    List<Shard> shards = writeRetyped(retyped);
    assertFails(
            MlobjException.Kind.INVALID_ARGUMENT,
            () -> dataset.newAppend().addShards(shards).schema(retyped).commit())
        .hasMessageContaining("column 'id' is");
    assertNothingLost();

    // Without the schema the commit cannot see the shards' types. If it accepts them, reading
    // must fail with a clear error naming the shard, not an internal decoder exception.
    Snapshot committed;
    try {
      committed = dataset.newAppend().addShards(shards).commit();
    } catch (MlobjException refused) {
      assertThat(refused.kind()).isEqualTo(MlobjException.Kind.INVALID_ARGUMENT);
      assertNothingLost();
      return;
    }
    assertFails(MlobjException.Kind.CORRUPT, () -> SmallRows.ids(committed, arrow.allocator()))
        .hasMessageContaining("Cannot decode shard " + dataset.store().uri(shards.get(0).path()))
        .hasMessageContaining("at version 4");
    assertThat(SmallRows.ids(dataset.version(3), arrow.allocator())).hasSize(20);
  }
}
