package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.testing.EmbeddedS3Extension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad input gets one line naming what is wrong and a distinct exit code; no stack trace. */
class ErrorExitCodesITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();

  private static void assertOneLine(CliRunner.Result result, int code, String text) {
    assertThat(result.code()).as(result.toString()).isEqualTo(code);
    assertThat(result.err()).startsWith("mlobj: ").contains(text).doesNotContain("\tat ");
    assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
  }

  @Test
  void unknownDatasetIsNotFound() {
    CliRunner.Result r = new CliRunner(S3.conf()).run("info", S3.newDatasetUri());
    assertOneLine(r, ExitCodes.NOT_FOUND, "there is no mlobj dataset there");
  }

  @Test
  void commandUnderTimeoutKeepsItsOwnErrorAndExitCode() {
    CliRunner.Result r =
        new CliRunner(S3.conf()).run("info", S3.newDatasetUri(), "--timeout", "2m");
    assertOneLine(r, ExitCodes.NOT_FOUND, "there is no mlobj dataset there");
  }

  @Test
  void badUriIsAUsageError() {
    CliRunner.Result r = new CliRunner(S3.conf()).run("info", "s3a:///no-bucket");
    assertOneLine(r, ExitCodes.USAGE, "Cannot open dataset 's3a:///no-bucket'");
  }

  @Test
  void missingBucketIsNotFound() {
    CliRunner.Result r = new CliRunner(S3.conf()).run("info", "s3a://no-such-bucket/ds");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.err()).contains("no-such-bucket");
  }

  @Test
  void unreachableEndpointIsAStorageError() {
    Map<String, String> conf = new LinkedHashMap<>(S3.conf());
    conf.put("fs.s3a.endpoint", "http://127.0.0.1:1");
    conf.put("fs.s3a.attempts.maximum", "0");
    CliRunner.Result r = new CliRunner(conf).run("info", S3.newDatasetUri());
    assertOneLine(r, ExitCodes.STORAGE, "fs.s3a.endpoint");
  }

  @Test
  void wrongCredentialsArePermissionDenied() {
    Map<String, String> conf = new LinkedHashMap<>(S3.conf());
    conf.put("fs.s3a.secret.key", "wrong-secret");
    CliRunner.Result r = new CliRunner(conf).run("ls", S3.newDatasetUri());
    assertOneLine(r, ExitCodes.PERMISSION_DENIED, "access denied");
    assertThat(r.err()).doesNotContain("wrong-secret");
  }

  @Test
  void missingCredentialsSayWhatToSet() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getenv("AWS_ACCESS_KEY_ID") == null, "AWS credentials in the environment");
    Map<String, String> conf = new LinkedHashMap<>(S3.conf());
    conf.remove("fs.s3a.access.key");
    conf.remove("fs.s3a.secret.key");
    conf.remove("fs.s3a.aws.credentials.provider");
    CliRunner.Result r = new CliRunner(conf).run("info", S3.newDatasetUri());
    assertOneLine(r, ExitCodes.PERMISSION_DENIED, "no S3 credentials found");
  }

  @Test
  void verboseAddsTheStackTrace() {
    CliRunner.Result r = new CliRunner(S3.conf()).run("info", S3.newDatasetUri(), "--verbose");
    assertThat(r.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.err()).contains("\tat io.mlobj.");
  }

  @Test
  void unknownOptionIsAUsageErrorPointingAtHelp() {
    CliRunner.Result r = CliRunner.raw("info", "s3a://b/ds", "--bogus");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Unknown option: '--bogus'").contains("mlobj info --help");
  }

  @Test
  void configShowsSettingsWithSecretsRedacted() {
    CliRunner.Result r = new CliRunner(S3.conf()).run("config");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("fs.s3a.endpoint").contains("****");
    assertThat(r.out()).doesNotContain(S3.server().secretKey());
  }

  @Test
  void profileFileSuppliesSettings() throws Exception {
    StringBuilder props = new StringBuilder();
    S3.conf().forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
    java.nio.file.Files.writeString(HOME.path().resolve("local.properties"), props);
    String uri = S3.newDatasetUri();
    TestDatasets.create(uri, S3.conf(), 5);
    CliRunner.Result r = CliRunner.raw("info", uri, "--profile", "local", "--json");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.json().get("rows").asLong()).isEqualTo(5);
    assertThat(CliRunner.raw("info", uri, "--profile", "missing").code())
        .isEqualTo(ExitCodes.USAGE);
  }
}
