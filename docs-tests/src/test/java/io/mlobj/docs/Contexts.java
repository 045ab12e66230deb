package io.mlobj.docs;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The contexts Java blocks run in: what a fragment in the docs assumes is in scope. Each is a base
 * class whose fields are those variables, set up against the embedded S3 server, plus the imports a
 * user's file would have. A block names its context with {@code <!-- docs-test: context NAME -->};
 * the default is {@code kernel}.
 */
public final class Contexts {
  private Contexts() {}

  /**
   * A context: the base class, its imports, and how to fill in an instance (given the block's code)
   * before it runs.
   */
  record Context(Class<? extends Base> base, List<String> imports, BiConsumer<Base, String> setup) {
    void prepare(Base instance, String code) {
      setup.accept(instance, code);
    }
  }

  /** What every generated block class extends. */
  public abstract static class Base implements AutoCloseable {
    /** The block's code. */
    public abstract void run() throws Exception;

    /**
     * Runs after {@link #run()} returned normally: what the context does with what the block built
     * (e.g. executes the Flink job it left). Not called when the block threw.
     */
    public void afterRun() throws Exception {}

    @Override
    public void close() throws Exception {}
  }

  /** Storage settings for the embedded server as a user would have them. */
  static Map<String, String> s3(DocEnv env) {
    return env.confCopy();
  }
}
