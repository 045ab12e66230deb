package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpTest {
  @Test
  void everyCommandHasHelp() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), paths);
    assertThat(paths).hasSizeGreaterThan(20);
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      CliRunner.Result r = CliRunner.raw(args.toArray(String[]::new));
      assertThat(r.code()).as(String.join(" ", args) + "\n" + r).isZero();
      assertThat(r.out()).as(String.join(" ", args)).contains("Usage: mlobj");
    }
  }

  @Test
  void aSubcommandRunsUnderARootHoldingOnlyItWhileHelpSeesEveryCommand() {
    assertThat(Main.commandLine(new String[] {"info", "s3a://b/ds"}).getSubcommands())
        .containsOnlyKeys("info");
    assertThat(Main.commandLine(new String[] {"help", "info"}).getSubcommands())
        .containsKeys("info", "verify", "checkpoint", "help");
    CliRunner.Result help = CliRunner.raw("help", "info");
    assertThat(help.code()).as(help.toString()).isZero();
    assertThat(help.out()).contains("Usage: mlobj info");
    CliRunner.Result unknown = CliRunner.raw("infoo");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void quickstartWithoutTheExamplesSaysWhatToRun() {
    CliRunner.Result r = CliRunner.raw("quickstart");
    assertThat(r.code()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err()).contains("bin/quickstart");
  }

  @Test
  void noSubcommandPrintsUsage() {
    CliRunner.Result r = CliRunner.raw();
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("checkpoint").contains("verify").contains("query");
  }

  private static void collect(CommandLine cli, List<String> prefix, List<List<String>> out) {
    out.add(prefix);
    cli.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!name.equals("help")) {
                List<String> next = new ArrayList<>(prefix);
                next.add(name);
                collect(sub, next, out);
              }
            });
  }
}
