package io.mlobj.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.MlobjConf;
import io.mlobj.internal.JobThreads;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

class S3ClientsTest {
  /** Settings of a lease of its own (leases are shared by settings); no request is made. */
  private static MlobjConf conf(String accessKey) {
    return MlobjConf.of(
        Map.of(
            "fs.s3a.endpoint", "http://127.0.0.1:9",
            "fs.s3a.access.key", accessKey,
            "fs.s3a.secret.key", "secret",
            "fs.s3a.attempts.maximum", "0"));
  }

  @Test
  void partsStartedByAJobThreadDoNotRunUnderThatJobsClassLoader() throws Exception {
    // Stores of the same settings share the lease's part pool, across jobs.
    S3Clients.Lease lease = S3Clients.acquire("bucket", conf("parts"));
    try {
      List<ClassLoader> seen =
          JobThreads.loadersSeenByTasksStartedFromAJob(16, lease.parts::execute);

      assertThat(seen).hasSize(16).containsOnly(S3Clients.class.getClassLoader());
    } finally {
      S3Clients.release(lease);
    }
  }

  @Test
  void theSdksCallTimeoutsRunOnTimerThreadsThatDoNotKeepAJobsClassLoader() throws Exception {
    // The SDK schedules each call's timeout from the calling thread, on the client's timer pool.
    S3Clients.Lease lease = S3Clients.acquire("bucket", conf("timers"));
    try {
      ThreadPoolExecutor timers = (ThreadPoolExecutor) lease.timers;
      assertThatThrownBy(() -> lease.client.headBucket(b -> b.bucket("bucket")))
          .hasMessageContaining("127.0.0.1:9");
      assertThat(timers.getTaskCount()).isPositive();

      List<ClassLoader> seen =
          JobThreads.loadersSeenByTasksStartedFromAJob(5, task -> timers.execute(task));

      assertThat(seen).hasSize(5).containsOnly(S3Clients.class.getClassLoader());
    } finally {
      S3Clients.release(lease);
    }
  }
}
