package io.mlobj.docs;

import io.mlobj.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a bash block of {@code mlobj} commands, line by line, through {@link Main#run} in this JVM
 * (what {@code bin/mlobj} runs), each of which must exit 0. As a shell would: {@code \}
 * continuations join lines, {@code #} starts a comment, quotes group words, {@code ~} is the
 * temporary home, {@code > FILE} writes stdout to the working directory. A file name the block uses
 * ({@code model.pt}, or after {@code -o}) is resolved in the working directory, where {@code
 * model.pt} exists; {@code /tmp/...} paths go there too. {@code s3 serve} is started on a free
 * port, checked to come up and write its settings, and stopped (the hidden {@code --run-for 0});
 * the lines after it run against the harness's server, which holds the example datasets. Any line
 * that is not an {@code mlobj} command fails the block: mark such blocks {@code <!-- docs-test:
 * skip (why) -->}.
 */
final class CliBlockRunner implements BlockRunner {
  private final DocEnv env;

  CliBlockRunner(DocEnv env) {
    this.env = env;
  }

  @Override
  public void run(DocBlock block) throws Exception {
    env.cleanWork();
    Files.write(env.work.resolve("model.pt"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    List<String> lines = logicalLines(block.code());
    for (String line : lines) {
      List<String> words = ShellWords.split(line, env.home);
      if (words.isEmpty()) {
        continue;
      }
      runLine(block, line, words);
    }
  }

  private void runLine(DocBlock block, String line, List<String> words) throws Exception {
    String command = words.get(0);
    if (!command.equals("bin/mlobj") && !command.equals("mlobj")) {
      throw new AssertionError(
          block.where()
              + ": cannot run '"
              + line.strip()
              + "': bash blocks run mlobj commands only. Mark the block <!-- docs-test: skip (why)"
              + " --> if it is not meant to be pasted, or use mlobj commands.");
    }
    List<String> args = new ArrayList<>();
    Path redirect = null;
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      if (w.equals(">") && i + 1 < words.size()) {
        redirect = env.work.resolve(words.get(++i));
      } else if (w.startsWith("/tmp/") && !w.startsWith(env.home.toString())) {
        args.add(env.work.resolve(w.substring(5)).toString());
      } else if ((i > 1 && words.get(i - 1).equals("-o"))
          || (w.matches("[\\w-]+\\.\\w+") && Files.exists(env.work.resolve(w)))) {
        args.add(env.work.resolve(w).toString());
      } else {
        args.add(w);
      }
    }
    boolean serve = args.size() >= 2 && args.get(0).equals("s3") && args.get(1).equals("serve");
    if (serve) {
      args.addAll(List.of("--port", "0", "--run-for", "0"));
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    if (serve) {
      env.writeConfig();
    }
    if (code != 0) {
      throw new AssertionError(
          block.where()
              + ": '"
              + line.strip()
              + "' exited "
              + code
              + "\n--- stdout\n"
              + out
              + "--- stderr\n"
              + err);
    }
    if (redirect != null) {
      Files.writeString(redirect, out.toString(), StandardCharsets.UTF_8);
    }
  }

  /** Lines with {@code \}-continuations joined. */
  static List<String> logicalLines(String code) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : code.lines().toList()) {
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      out.add(current.toString());
      current.setLength(0);
    }
    if (!current.isEmpty()) {
      out.add(current.toString());
    }
    return out;
  }
}
