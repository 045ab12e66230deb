package io.mlobj.internal.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.internal.JobThreads;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackgroundWriteTest {
  @Test
  void aFailedWriteRethrowsItsOwnExceptionOnAwait() {
    IllegalStateException failure = new IllegalStateException("PUT refused");
    BackgroundWrite write =
        BackgroundWrite.start(
            () -> {
              throw failure;
            });

    assertThatThrownBy(write::await).isSameAs(failure);
  }

  @Test
  void writesStartedByAJobThreadDoNotRunUnderThatJobsClassLoader() throws Exception {
    // The pool serves every commit of the JVM, so its threads outlive the job (and, in Flink, the
    // closed user-code class loader) of the thread that happened to start them.
    List<ClassLoader> seen =
        JobThreads.loadersSeenByTasksStartedFromAJob(32, BackgroundWrite::start);

    assertThat(seen).hasSize(32).containsOnly(BackgroundWrite.class.getClassLoader());
  }
}
