package io.mlobj.docs;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides how each block runs and runs it. A block runs when its language has a runner ({@code
 * java}, {@code bash}/{@code sh}/{@code console}, {@code sql} as Flink SQL); {@code text} blocks
 * are illustrative by their language; a block with a {@code skip} marker is skipped with its
 * reason. Every other block fails: a pasteable example without a runner must not pass silently.
 */
final class DocHarness {
  /** Languages that are shown, never run: output, diagrams, layouts. */
  static final Set<String> ILLUSTRATIVE = Set.of("text");

  private final Map<String, BlockRunner> runners;
  private final DocEnv env;

  DocHarness(DocEnv env, Path classes) {
    this.env = env;
    Map<String, Contexts.Context> contexts =
        Map.of(
            "kernel",
            KernelContext.context(env),
            "spark",
            SparkContext.context(env),
            "flink",
            FlinkContext.context(env, classes));
    BlockRunner java =
        new JavaBlockRunner(
            env,
            classes,
            name -> {
              Contexts.Context c = contexts.get(name);
              if (c == null) {
                throw new AssertionError(
                    "Unknown docs-test context '"
                        + name
                        + "'. Known contexts: "
                        + String.join(", ", contexts.keySet().stream().sorted().toList())
                        + ".");
              }
              return c;
            });
    BlockRunner cli = new CliBlockRunner(env);
    BlockRunner sql = new FlinkSqlBlockRunner(env, classes);
    this.runners = Map.of("java", java, "bash", cli, "sh", cli, "console", cli, "sql", sql);
  }

  /**
   * Runs the block against freshly prepared storage.
   *
   * @return why the block was not run, if it was not
   */
  Optional<String> run(DocBlock block) throws Exception {
    if (block.skipped()) {
      return Optional.of(block.marker().get().reason());
    }
    if (ILLUSTRATIVE.contains(block.language())) {
      return Optional.of("```" + block.language() + " is illustrative");
    }
    BlockRunner runner = runners.get(block.language());
    if (runner == null) {
      throw new AssertionError(
          block.where()
              + ": no runner for "
              + (block.language().isEmpty() ? "a block without a language" : block.language())
              + ". Give it a language the harness runs ("
              + String.join(", ", runners.keySet().stream().sorted().toList())
              + "), ```text for output and diagrams, or put <!-- docs-test: skip (why) --> on the"
              + " line before the fence.");
    }
    env.prepare(block.code());
    runner.run(block);
    return Optional.empty();
  }
}
