package io.mlobj.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs {@code mlobj} in this JVM with captured output and the given storage settings. */
final class CliRunner {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The outcome of one command. */
  record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException("stdout is not JSON: " + out + "\nstderr: " + err, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  private final Map<String, String> conf;

  CliRunner(Map<String, String> conf) {
    this.conf = conf;
  }

  /** Runs the command with every setting passed as {@code -c key=value}. */
  Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    conf.forEach((k, v) -> all.add("-c=" + k + "=" + v));
    return raw(all.toArray(String[]::new));
  }

  /** Runs the command exactly as given. */
  static Result raw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }
}
