package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.internal.store.S3HttpClients;
import io.mlobj.internal.store.S3ObjectStore;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStoreException;
import io.mlobj.testing.EmbeddedS3Extension;
import io.mlobj.testing.FaultInjectingProxy;
import io.mlobj.testing.FaultInjectingProxy.Rule;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every S3 operation the kernel makes works the same through each SDK HTTP client ({@code
 * mlobj.s3.http-client}): plain and multipart writes, whole and ranged reads, conditional writes,
 * commits and scans, and a stalled response fails after {@code fs.s3a.connection.timeout} naming
 * that setting.
 */
class HttpClientsITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  private BufferAllocator allocator;

  @BeforeEach
  void setUp() {
    allocator = new RootAllocator();
  }

  @AfterEach
  void tearDown() {
    allocator.close();
  }

  private static Map<String, String> with(Map<String, String> base, S3HttpClients.Kind client) {
    Map<String, String> conf = new HashMap<>(base);
    conf.put("mlobj.s3.http-client", client.name().toLowerCase(java.util.Locale.ROOT));
    return conf;
  }

  @Test
  void theCrtClientLoadsOnThisTestClassPath() {
    // Otherwise the CRT cases below would silently run the Apache fallback twice.
    assertThat(S3HttpClients.crtAvailable()).isTrue();
    assertThat(S3HttpClients.choose("crt")).isEqualTo(S3HttpClients.Kind.CRT);
    assertThat(S3HttpClients.choose(null)).isEqualTo(S3HttpClients.Kind.APACHE);
  }

  @Test
  void whereTheCrtNativeLibraryCannotLoadTheApacheClientServesTheSameRequests() throws Exception {
    String uri = S3.newDatasetUri();
    SmallRows.create(uri, S3.conf()).close();
    ChildJvm child =
        ChildJvm.start(
            CrtFallbackMain.class, List.of(uri), with(S3.conf(), S3HttpClients.Kind.CRT));

    assertThat(child.await(120)).as(child.output()).isZero();
    assertThat(child.output()).contains("CLIENT=APACHE CRT_AVAILABLE=false READ_BACK=true");
  }

  @Test
  void anUnknownClientIsAnErrorNamingTheSettingAndItsValues() {
    assertThatThrownBy(() -> S3HttpClients.choose("netty"))
        .hasMessageContaining("mlobj.s3.http-client=netty")
        .hasMessageContaining("`apache` or `crt`");
  }

  @ParameterizedTest(name = "http client = {0}")
  @EnumSource(S3HttpClients.Kind.class)
  void multipartWritesAndWholeAndRangedReadsReturnTheSameBytes(S3HttpClients.Kind client) {
    Map<String, String> conf = with(S3.conf(), client);
    conf.put("mlobj.io.part-size", "8m");
    byte[] data =
        new byte[20 << 20]; // over 16 MiB: a multipart upload of 8 + 12 MiB, 3 ranged GETs
    new Random(client.ordinal()).nextBytes(data);
    String uri = S3.newDatasetUri();
    try (Dataset dataset = SmallRows.create(uri, conf)) {
      ObjectStore store = dataset.store();
      assertThat(((S3ObjectStore) store).httpClient()).isEqualTo(client);

      store.put("blobs/big.bin", data, Map.of("origin", "test"));
      store.put("blobs/small.bin", Arrays.copyOf(data, 1000), Map.of());

      assertThat(store.read("blobs/big.bin")).isEqualTo(data);
      assertThat(store.readRange("blobs/big.bin", (8 << 20) - 7, 100))
          .isEqualTo(Arrays.copyOfRange(data, (8 << 20) - 7, (8 << 20) + 93));
      assertThat(store.read("blobs/small.bin")).isEqualTo(Arrays.copyOf(data, 1000));
      assertThat(store.head("blobs/big.bin")).get().extracting(i -> i.size()).isEqualTo(20L << 20);
      store.put("blobs/empty.bin", new byte[0], Map.of());
      assertThat(store.read("blobs/empty.bin")).isEmpty();
      assertThat(store.list("blobs/", null)).hasSize(3);
      store.delete("blobs/small.bin");
      assertThat(store.head("blobs/small.bin")).isEmpty();
    }
  }

  @ParameterizedTest(name = "http client = {0}")
  @EnumSource(S3HttpClients.Kind.class)
  void commitsAndScansOfBothFormatsThroughEachClient(S3HttpClients.Kind client) {
    Map<String, String> conf = with(S3.conf(), client);
    String uri = S3.newDatasetUri();
    Dataset dataset = SmallRows.create(uri, conf);
    List<Long> versions =
        List.of(
            SmallRows.append(dataset, allocator, ShardFormat.PARQUET, 0, 0, 500).version(),
            SmallRows.append(dataset, allocator, ShardFormat.ARROW, 1, 500, 500).version());

    assertThat(versions).containsExactly(2L, 3L);
    Dataset reread = Dataset.open(uri, conf);
    assertThat(reread.log().listVersions()).containsExactly(1L, 2L, 3L);
    assertThat(SmallRows.ids(reread.latest(), allocator))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(0, 1000).boxed().toList());
  }

  @ParameterizedTest(name = "http client = {0}")
  @EnumSource(S3HttpClients.Kind.class)
  void aConditionalWriteOnAnExistingKeyIsRefused(S3HttpClients.Kind client) {
    try (Dataset dataset = SmallRows.create(S3.newDatasetUri(), with(S3.conf(), client))) {
      ObjectStore store = dataset.store();
      store.putIfAbsent("once.json", new byte[] {1}, Map.of());

      assertThatThrownBy(() -> store.putIfAbsent("once.json", new byte[] {2}, Map.of()))
          .isInstanceOf(ObjectStoreException.class);
      assertThat(store.read("once.json")).containsExactly(1);
    }
  }

  @ParameterizedTest(name = "http client = {0}")
  @EnumSource(S3HttpClients.Kind.class)
  void aStalledResponseFailsAfterTheSocketTimeoutNamingTheSetting(S3HttpClients.Kind client) {
    String uri = S3.newDatasetUri();
    try (Dataset direct = SmallRows.create(uri, S3.conf());
        FaultInjectingProxy proxy = FaultInjectingProxy.inFrontOf(S3.server().endpoint()).start()) {
      direct.store().put("stalls.bin", new byte[1000], Map.of());
      Map<String, String> conf = with(S3.server().hadoopConf(proxy.endpoint()), client);
      conf.put("fs.s3a.connection.timeout", "1000"); // s3a's unit: milliseconds
      conf.put("fs.s3a.attempts.maximum", "0");
      conf.put("fs.s3a.retry.limit", "0");
      proxy.add(Rule.latency(Duration.ofSeconds(8)).method("GET").pathMatching(".*stalls.*"));
      try (Dataset viaProxy = Dataset.open(uri, conf)) {
        long start = System.nanoTime();

        assertThatThrownBy(() -> viaProxy.store().read("stalls.bin"))
            .isInstanceOf(ObjectStoreException.class)
            .hasMessageContaining("accepted the connection but sent no answer")
            .hasMessageContaining("fs.s3a.connection.timeout=1s");
        // Only proves the 8 s stall was cut short, not how fast: no timing assertion beyond that.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
      }
    }
  }

  @ParameterizedTest(name = "http client = {0}")
  @EnumSource(S3HttpClients.Kind.class)
  void aStalledAttemptIsRetriedAndTheReadSucceeds(S3HttpClients.Kind client) {
    String uri = S3.newDatasetUri();
    byte[] data = new byte[1000];
    new Random(7).nextBytes(data);
    try (Dataset direct = SmallRows.create(uri, S3.conf());
        FaultInjectingProxy proxy = FaultInjectingProxy.inFrontOf(S3.server().endpoint()).start()) {
      direct.store().put("stalls.bin", data, Map.of());
      Map<String, String> conf = with(S3.server().hadoopConf(proxy.endpoint()), client);
      conf.put("fs.s3a.connection.timeout", "1000");
      proxy.add(Rule.latency(Duration.ofSeconds(8)).method("GET").pathMatching(".*stalls.*"));
      try (Dataset viaProxy = Dataset.open(uri, conf)) {

        assertThat(viaProxy.store().read("stalls.bin")).isEqualTo(data);
        assertThat(proxy.injected()).isEqualTo(1);
      }
    }
  }

  @ParameterizedTest(name = "http client = {0}")
  @EnumSource(S3HttpClients.Kind.class)
  void aBodyCutOffMidResponseIsReadAgainNotReturnedShort(S3HttpClients.Kind client) {
    String uri = S3.newDatasetUri();
    byte[] data = new byte[1 << 20];
    new Random(11).nextBytes(data);
    try (Dataset direct = SmallRows.create(uri, S3.conf());
        FaultInjectingProxy proxy = FaultInjectingProxy.inFrontOf(S3.server().endpoint()).start()) {
      direct.store().put("cut.bin", data, Map.of());
      Map<String, String> conf = with(S3.server().hadoopConf(proxy.endpoint()), client);
      proxy.add(Rule.resetMidResponse().method("GET").pathMatching(".*cut\\.bin.*"));
      try (Dataset viaProxy = Dataset.open(uri, conf)) {

        assertThat(viaProxy.store().read("cut.bin")).isEqualTo(data);
        assertThat(proxy.log()).anyMatch(line -> line.endsWith("reset_mid_response"));
      }
    }
  }
}
