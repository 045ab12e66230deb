package io.mlobj.flink.testframe;

import io.mlobj.testing.EmbeddedS3Extension;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink's connector test suite for the sink with exactly-once semantics: basic write, restart from
 * a savepoint, scale up and down, and metrics, against datasets on the embedded S3 server.
 */
class MlobjSinkTestSuiteITCase extends SinkTestSuiteBase<String> {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

  @TestContext
  ExternalContextFactory<MlobjSinkExternalContext> contexts =
      testName -> new MlobjSinkExternalContext(S3.newDatasetUri(), S3.conf());

  @TestSemantics
  CheckpointingMode[] semantics = new CheckpointingMode[] {CheckpointingMode.EXACTLY_ONCE};
}
