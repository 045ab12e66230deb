package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void bareNumbersTakeTheCallersUnitAndSuffixesTheirOwn() {
    assertThat(Durations.parse("k", "5000", TimeUnit.MILLISECONDS))
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(Durations.parse("k", "30", TimeUnit.SECONDS)).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("k", "200s", TimeUnit.MILLISECONDS))
        .isEqualTo(Duration.ofSeconds(200));
    assertThat(Durations.parse("k", "2m", TimeUnit.MILLISECONDS)).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("k", "250ms", TimeUnit.SECONDS)).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void malformedDurationNamesTheSetting() {
    assertThatThrownBy(
            () -> Durations.parse("fs.s3a.connection.timeout", "soon", TimeUnit.MILLISECONDS))
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("fs.s3a.connection.timeout")
        .hasMessageContaining("5s");
  }
}
