package io.mlobj.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles a Java block in this JVM with {@code javax.tools} and runs it. The block becomes the
 * body of {@code run()} in a class that extends its context's class ({@link Contexts}): the
 * context's fields are the variables the fragment assumes ({@code conf}, {@code schema}, {@code
 * spark}...) and its imports are the ones a user's file would have. After the block, the context's
 * {@code afterRun()} runs what the block built (the {@code flink} context executes the job). A
 * compile error or an exception fails the block, reported at the block's own line numbers.
 */
final class JavaBlockRunner implements BlockRunner {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private final DocEnv env;
  private final Path classes;
  private final Function<String, Contexts.Context> contexts;

  JavaBlockRunner(DocEnv env, Path classes, Function<String, Contexts.Context> contexts) {
    this.env = env;
    this.classes = classes;
    this.contexts = contexts;
  }

  @Override
  public void run(DocBlock block) throws Exception {
    Contexts.Context context = contexts.apply(block.context("kernel"));
    String name = "DocBlock" + COUNTER.incrementAndGet();
    StringBuilder source = new StringBuilder("package docs;\n");
    for (String i : context.imports()) {
      source.append("import ").append(i).append(";\n");
    }
    source
        .append("public class ")
        .append(name)
        .append(" extends ")
        .append(context.base().getName())
        .append(" {\n  @Override public void run() throws Exception {\n");
    int offset = (int) source.chars().filter(c -> c == '\n').count();
    source.append(env.localize(block.code())).append("\n  }\n}\n");
    compile(block, name, source.toString(), offset);
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> type = loader.loadClass("docs." + name);
      Contexts.Base instance = (Contexts.Base) type.getDeclaredConstructor().newInstance();
      context.prepare(instance, block.code());
      try {
        instance.run();
        instance.afterRun();
      } finally {
        instance.close();
      }
    }
  }

  /** Compiles the source to {@link #classes}; fails with the block's line numbers on errors. */
  static void compileTo(Path classes, DocBlock block, String name, String source, int offset) {
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, null, null)) {
      JavaFileObject unit =
          new SimpleJavaFileObject(
              URI.create("string:///docs/" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
              return source;
            }
          };
      List<String> options =
          List.of(
              "-classpath",
              System.getProperty("java.class.path"),
              "-d",
              classes.toString(),
              "-proc:none",
              "-nowarn",
              "-Xlint:none");
      boolean ok = compiler.getTask(null, files, diagnostics, options, null, List.of(unit)).call();
      if (!ok) {
        StringBuilder message =
            new StringBuilder(block.where() + ": the block does not compile:\n");
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
          if (d.getKind() != Diagnostic.Kind.ERROR) {
            continue;
          }
          long line = d.getLineNumber() - offset + block.line();
          message
              .append("  ")
              .append(block.file())
              .append(':')
              .append(line)
              .append(": ")
              .append(d.getMessage(Locale.ROOT))
              .append('\n');
        }
        throw new AssertionError(message.toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void compile(DocBlock block, String name, String source, int offset) throws IOException {
    Files.createDirectories(classes);
    compileTo(classes, block, name, source, offset);
  }
}
