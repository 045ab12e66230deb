package io.mlobj.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mlobj.ShardFormat;
import io.mlobj.s3server.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client as users install it: {@code python/} is built into a wheel, the wheel is
 * installed with pip into a fresh virtual environment (with {@code --system-site-packages}, so
 * pyarrow, numpy and torch come from the system), and a script run outside the checkout imports
 * {@code mlobj_torch} from that environment and reads one epoch from a running feed server. Skipped
 * (an assumption) when python3 with pyarrow, torch and numpy is not installed.
 */
class PythonWheelITCase {
  private static final String SCRIPT =
      String.join(
          "\n",
          "import sys",
          "import mlobj_torch",
          "from mlobj_torch import MlobjIterableDataset",
          "assert mlobj_torch.__file__.startswith(sys.prefix), mlobj_torch.__file__",
          "endpoint, dataset, token, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])",
          "ds = MlobjIterableDataset(endpoint, dataset, token=token, device=None, batch_size=16,"
              + " seed=5)",
          "ids = sorted(int(i) for batch in ds for i in batch['id'].tolist())",
          "assert ids == list(range(rows)), ids",
          "print('one epoch from the installed wheel:', len(ids), 'samples')",
          "");

  @TempDir Path work;

  @Test
  void theWheelInstallsIntoAFreshVenvAndReadsAnEpochFromARunningFeed() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String python = PythonClientITCase.PYTHON;
    assumeTrue(
        run(work, List.of(python, "-c", "import pyarrow, torch, numpy, setuptools")).code == 0,
        python + " with pyarrow, torch, numpy and setuptools is not installed: run bin/test");

    Path wheels = work.resolve("dist");
    Result wheel =
        run(
            work,
            List.of(
                python,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "-w",
                wheels.toString(),
                root.resolve("python").toString()));
    assertThat(wheel.code).as(wheel.output).isZero();
    Path whl;
    try (Stream<Path> files = Files.list(wheels)) {
      whl = files.filter(p -> p.toString().endsWith(".whl")).findFirst().orElseThrow();
    }
    assertThat(whl.getFileName().toString()).startsWith("mlobj_torch-");

    Path venv = work.resolve("venv");
    Result created =
        run(work, List.of(python, "-m", "venv", "--system-site-packages", venv.toString()));
    assertThat(created.code).as(created.output).isZero();
    String venvPython = venv.resolve("bin/python").toString();
    Result installed =
        run(
            work,
            List.of(venvPython, "-m", "pip", "install", "--no-deps", "--no-index", whl.toString()));
    assertThat(installed.code).as(installed.output).isZero();

    Path script = Files.writeString(work.resolve("epoch.py"), SCRIPT);
    try (EmbeddedS3 s3 = EmbeddedS3.builder().build().start().createBucket("wheel");
        BufferAllocator allocator = new RootAllocator()) {
      Map<String, String> conf = s3.hadoopConf();
      String uri = "s3a://wheel/images";
      long rows = FeedTestData.create(uri, conf, allocator, ShardFormat.ARROW, 2, 2, 20, 4, 4);
      try (FeedServer server = FeedServer.builder().conf(conf).token("wheel").build().start()) {
        Result epoch =
            run(
                work,
                List.of(venvPython, script.toString(), server.endpoint(), uri, "wheel", "" + rows));
        assertThat(epoch.code).as(epoch.output).isZero();
        assertThat(epoch.output).contains("one epoch from the installed wheel: " + rows);
      }
    }
  }

  private record Result(int code, String output) {}

  private static Result run(Path dir, List<String> command) throws Exception {
    Path log = Files.createTempFile(dir, "cmd-", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(new ArrayList<>(command))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().remove("PYTHONPATH");
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      return new Result(-1, e.toString());
    }
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-2, "timed out: " + command + "\n" + Files.readString(log));
    }
    return new Result(p.exitValue(), String.join(" ", command) + "\n" + Files.readString(log));
  }
}
