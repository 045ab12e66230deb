package io.mlobj.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.internal.registry.MetadataIndex;
import io.mlobj.internal.registry.RegistryLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistryLayoutTest {
  @ParameterizedTest(name = "value = {0}")
  @ValueSource(
      strings = {
        "s3a://bucket/datasets/images",
        "file:///tmp/a b/ü",
        "plain-value.1",
        "under_score%percent",
        ""
      })
  void encodingIsOneSafeKeySegmentAndReversible(String value) {
    String encoded = RegistryLayout.enc(value);
    assertThat(encoded).matches("[A-Za-z0-9._-]*");
    assertThat(RegistryLayout.dec(encoded)).isEqualTo(value);
  }

  @ParameterizedTest(name = "entry = {0}")
  @ValueSource(
      strings = {"ckpt/m/00000000000000000003", "dataset/s3a_3A_2F_2Fb_2Fx/00000000000000000007"})
  void entriesParseBack(String entry) {
    MetadataIndex.Ref ref = MetadataIndex.parse(entry);
    assertThat(ref).isNotNull();
    assertThat(ref.version()).isIn(3L, 7L);
    if (ref.kind() == QueryHit.Kind.DATASET) {
      assertThat(ref.name()).isEqualTo("s3a://b/x");
    }
  }

  @ParameterizedTest(name = "actual {0}")
  @ValueSource(strings = {"0.2", "0.25"})
  void numericConditionsCompareAsNumbers(String actual) {
    assertThat(RegistryQuery.compare(actual, "<", "0.3")).isTrue();
    assertThat(RegistryQuery.compare(actual, ">=", "0.3")).isFalse();
    assertThat(RegistryQuery.compare("10", ">", "9")).isTrue(); // not string order
    assertThat(RegistryQuery.compare(null, "!=", "x")).isTrue();
  }
}
