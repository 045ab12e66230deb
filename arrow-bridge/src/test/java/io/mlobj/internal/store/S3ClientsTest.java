package io.mlobj.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlobj.MlobjConf;
import io.mlobj.internal.JobThreads;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ClientsTest {
  @Test
  void partsStartedByAJobThreadDoNotRunUnderThatJobsClassLoader() throws Exception {
    // Stores of the same settings share the lease's part pool, across jobs.
    MlobjConf conf =
        MlobjConf.of(
            Map.of(
                "fs.s3a.endpoint", "http://127.0.0.1:9",
                "fs.s3a.access.key", "a",
                "fs.s3a.secret.key", "b"));
    S3Clients.Lease lease = S3Clients.acquire("bucket", conf);
    try {
      List<ClassLoader> seen =
          JobThreads.loadersSeenByTasksStartedFromAJob(16, lease.parts::execute);

      assertThat(seen).hasSize(16).containsOnly(S3Clients.class.getClassLoader());
    } finally {
      S3Clients.release(lease);
    }
  }
}
