package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.Dataset;
import io.mlobj.internal.format.LogLayout;
import io.mlobj.testing.EmbeddedS3Extension;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A damaged newest version file (issue 13, case 1) does not lock users out: every command a user
 * needs to see and repair the damage works, run as the user runs it against an S3 server.
 */
class DamagedVersionITCase {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @RegisterExtension static final IsolatedHome HOME = new IsolatedHome();

  /** Ways a version file gets damaged, and what the error then says about it. */
  enum Damage {
    GARBAGE("not valid JSON at byte 0"),
    TRUNCATED("not valid JSON at byte"),
    EMPTY("it is empty (0 bytes)"),
    BINARY("not valid JSON at byte 0"),
    FUTURE_FORMAT("format-version 99 is not supported");

    final String reason;

    Damage(String reason) {
      this.reason = reason;
    }

    byte[] apply(byte[] intact) {
      return switch (this) {
        case GARBAGE -> "garbage{not json".getBytes(StandardCharsets.UTF_8);
        case TRUNCATED -> Arrays.copyOf(intact, intact.length / 2);
        case EMPTY -> new byte[0];
        case BINARY -> "\0garbage{not json}".getBytes(StandardCharsets.UTF_8);
        case FUTURE_FORMAT ->
            new String(intact, StandardCharsets.UTF_8)
                .replaceFirst("\"format-version\"\\s*:\\s*\\d+", "\"format-version\" : 99")
                .getBytes(StandardCharsets.UTF_8);
      };
    }
  }

  @ParameterizedTest(name = "damage = {0}")
  @EnumSource(Damage.class)
  void damagedLatestVersionLeavesOtherVersionsReadableAndRollbackRepairsIt(Damage damage) {
    CliRunner cli = new CliRunner(S3.conf());
    String parent = "s3a://" + S3.bucket() + "/p-" + UUID.randomUUID();
    String uri = parent + "/damaged";
    String healthy = parent + "/healthy";
    TestDatasets.create(healthy, S3.conf(), 7);
    Dataset dataset = TestDatasets.create(uri, S3.conf(), 100, 50); // v1 create, v2, v3
    String key = LogLayout.versionKey(3);
    dataset.store().put(key, damage.apply(dataset.store().read(key)), Map.of());

    CliRunner.Result latest = cli.run("info", uri);
    assertThat(latest.code()).as(latest.toString()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(latest.err())
        .contains("Cannot read version 3 of dataset " + uri)
        .contains(damage.reason)
        .contains("mlobj rollback " + uri)
        .doesNotContain("慲");

    CliRunner.Result v2 = cli.run("info", uri, "--version", "2", "--json");
    assertThat(v2.code()).as(v2.toString()).isZero();
    assertThat(v2.json().get("rows").asLong()).isEqualTo(100);
    assertThat(v2.json().get("latestVersion").asLong()).isEqualTo(3);

    CliRunner.Result verify = cli.run("verify", uri, "--version", "2");
    assertThat(verify.code()).as(verify.toString()).isZero();

    CliRunner.Result history = cli.run("history", uri, "--json");
    assertThat(history.code()).as(history.toString()).isEqualTo(ExitCodes.DAMAGED);
    JsonNode versions = history.json();
    assertThat(versions).hasSize(3);
    assertThat(versions.get(0).get("version").asLong()).isEqualTo(3);
    assertThat(versions.get(0).get("damaged").asText()).contains(damage.reason);
    assertThat(versions.get(1).get("totalRows").asLong()).isEqualTo(100);
    assertThat(versions.get(2).get("operation").asText()).isEqualTo("create");

    CliRunner.Result ls = cli.run("ls", parent);
    assertThat(ls.code()).as(ls.toString()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(ls.out().lines().filter(l -> l.startsWith(uri + " ")))
        .singleElement()
        .asString()
        .contains("DAMAGED");
    assertThat(ls.out()).contains(healthy);
    assertThat(ls.err()).contains(damage.reason);

    CliRunner.Result dryRun = cli.run("rollback", uri, "2", "--dry-run");
    assertThat(dryRun.code()).as(dryRun.toString()).isZero();
    assertThat(dryRun.out())
        .contains("Version 3 (the latest) is damaged")
        .contains("Would roll " + uri + " back to version 2 as new version 4 (100 rows)")
        .contains("Nothing was committed");
    assertThat(Dataset.open(uri, S3.conf()).latestVersion()).isEqualTo(3);

    CliRunner.Result rollback = cli.run("rollback", uri, "2");
    assertThat(rollback.code()).as(rollback.toString()).isZero();
    assertThat(rollback.out())
        .contains("Version 3 (the latest) is damaged")
        .contains("Rolled " + uri + " back to version 2 as new version 4 (100 rows).");

    CliRunner.Result repaired = cli.run("info", uri, "--json");
    assertThat(repaired.code()).as(repaired.toString()).isZero();
    assertThat(repaired.json().get("version").asLong()).isEqualTo(4);
    assertThat(repaired.json().get("rows").asLong()).isEqualTo(100);
    TestDatasets.append(Dataset.open(uri, S3.conf()), 1000, 10, Map.of());
    assertThat(Dataset.open(uri, S3.conf()).latest().rows()).isEqualTo(110);
    assertThat(Dataset.open(uri, S3.conf()).version(4).summary().properties())
        .containsEntry("rollback-to", "2")
        .containsEntry("rollback-past-damaged", "3");
  }

  @ParameterizedTest(name = "damage = {0}")
  @EnumSource(Damage.class)
  void timeTravelAndVerifyAllVersionsPassOverDamagedVersionFiles(Damage damage)
      throws InterruptedException {
    CliRunner cli = new CliRunner(S3.conf());
    String uri = "s3a://" + S3.bucket() + "/t-" + UUID.randomUUID() + "/damaged";
    Dataset dataset = TestDatasets.create(uri, S3.conf()); // v1
    for (int v = 2; v <= 5; v++) {
      Thread.sleep(5); // distinct commit times
      TestDatasets.append(dataset, v * 100L, 10, Map.of());
    }
    long v2Committed = dataset.version(2).timestampMillis();
    for (long v : new long[] {3, 5}) {
      String key = LogLayout.versionKey(v);
      dataset.store().put(key, damage.apply(dataset.store().read(key)), Map.of());
    }
    String now = String.valueOf(System.currentTimeMillis() + 1000);

    CliRunner.Result asOfNow = cli.run("info", uri, "--as-of", now, "--json");
    assertThat(asOfNow.code()).as(asOfNow.toString()).isZero();
    assertThat(asOfNow.json().get("version").asLong()).isEqualTo(4);
    assertThat(asOfNow.json().get("rows").asLong()).isEqualTo(30);
    assertThat(asOfNow.err())
        .contains("Passed over damaged version 5 (")
        .contains(damage.reason)
        .contains("reading version 4, the latest intact version committed by then")
        .doesNotContain("version 3");

    CliRunner.Result asOfV2 = cli.run("info", uri, "--as-of", String.valueOf(v2Committed));
    assertThat(asOfV2.code()).as(asOfV2.toString()).isZero();
    assertThat(asOfV2.out()).contains("Version     2 of 5");
    assertThat(asOfV2.err()).contains("Passed over damaged version 3 (");
    assertThat(Dataset.open(uri, S3.conf()).asOf(v2Committed).version()).isEqualTo(2);

    CliRunner.Result verify = cli.run("verify", uri, "--all-versions");
    assertThat(verify.code()).as(verify.toString()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(verify.out().lines().toList())
        .hasSize(5)
        .satisfiesExactly(
            l -> assertThat(l).startsWith("OK      " + uri + " version 1: 0 shards"),
            l -> assertThat(l).startsWith("OK      " + uri + " version 2: 1 shards"),
            l -> assertThat(l).startsWith("DAMAGED " + uri + " version 3: the version file"),
            l -> assertThat(l).startsWith("OK      " + uri + " version 4: 3 shards"),
            l -> assertThat(l).startsWith("DAMAGED " + uri + " version 5: the version file"));
    assertThat(verify.err())
        .contains("Cannot read version 3 of dataset " + uri)
        .contains("Cannot read version 5 of dataset " + uri)
        .contains(damage.reason);

    CliRunner.Result verifyJson = cli.run("verify", uri, "--all-versions", "--json");
    assertThat(verifyJson.code()).as(verifyJson.toString()).isEqualTo(ExitCodes.DAMAGED);
    assertThat(verifyJson.json()).hasSize(5);
    assertThat(verifyJson.json().get(2).get("damaged").asText()).contains(damage.reason);
    assertThat(verifyJson.json().get(3).get("ok").asBoolean()).isTrue();
  }
}
