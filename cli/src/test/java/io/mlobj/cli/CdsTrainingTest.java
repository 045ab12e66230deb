package io.mlobj.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/mlobj's archive training run succeeds, so the archive holds the classes of a success. */
class CdsTrainingTest {
  @TempDir java.nio.file.Path home;

  @Test
  void everyTrainingCommandSucceedsAgainstTheEmbeddedServer() throws Exception {
    String previous = System.getProperty("mlobj.home");
    System.setProperty("mlobj.home", home.toString());
    try {
      assertThat(CdsTraining.train()).isEmpty();
    } finally {
      if (previous == null) {
        System.clearProperty("mlobj.home");
      } else {
        System.setProperty("mlobj.home", previous);
      }
    }
  }
}
