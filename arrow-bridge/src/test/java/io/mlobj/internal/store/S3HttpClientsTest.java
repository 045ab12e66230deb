package io.mlobj.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.Settings;
import io.mlobj.store.ObjectStoreException;
import org.junit.jupiter.api.Test;

/** How {@code mlobj.s3.http-client} is read and what happens when the CRT cannot load. */
class S3HttpClientsTest {
  @Test
  void apacheIsTheDefaultAndValuesIgnoreCase() {
    assertThat(Settings.S3_HTTP_CLIENT.defaultValue()).isEqualTo("apache");
    assertThat(S3HttpClients.Kind.parse(null)).isEqualTo(S3HttpClients.Kind.APACHE);
    assertThat(S3HttpClients.Kind.parse(" ")).isEqualTo(S3HttpClients.Kind.APACHE);
    assertThat(S3HttpClients.Kind.parse("CRT")).isEqualTo(S3HttpClients.Kind.CRT);
    assertThat(S3HttpClients.Kind.parse("Apache")).isEqualTo(S3HttpClients.Kind.APACHE);
  }

  @Test
  void anUnknownValueNamesTheSettingAndTheChoices() {
    assertThatThrownBy(() -> S3HttpClients.Kind.parse("urlconnection"))
        .isInstanceOf(ObjectStoreException.class)
        .hasMessageContaining("mlobj.s3.http-client=urlconnection")
        .hasMessageContaining("`apache` or `crt`");
  }

  @Test
  void aCrtThatCannotLoadFallsBackToApacheWithAWarningNamingTheSettingAndTheJars() {
    UnsatisfiedLinkError failure = new UnsatisfiedLinkError("no aws-crt-jni in java.library.path");

    assertThat(S3HttpClients.chooseCrt(failure)).isEqualTo(S3HttpClients.Kind.APACHE);
    assertThat(S3HttpClients.chooseCrt(null)).isEqualTo(S3HttpClients.Kind.CRT);
    assertThat(S3HttpClients.fallbackMessage(failure))
        .contains("mlobj.s3.http-client=crt")
        .contains("no aws-crt-jni")
        .contains("software.amazon.awssdk:aws-crt-client")
        .contains("software.amazon.awssdk.crt:aws-crt")
        .contains("mlobj.s3.http-client=apache");
  }
}
