package io.mlobj.flink.testframe;

import io.mlobj.testing.EmbeddedS3Extension;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flink's connector test suite for the source: single and multiple splits, savepoint restore, scale
 * up and down, metrics, idle readers and task-manager failure, against datasets on the embedded S3
 * server. The continuous source runs the unbounded cases.
 */
class MlobjSourceTestSuiteITCase extends SourceTestSuiteBase<String> {
  @RegisterExtension static final EmbeddedS3Extension S3 = new EmbeddedS3Extension();

  @TestEnv MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

  @TestContext
  ExternalContextFactory<MlobjSourceExternalContext> contexts =
      testName -> new MlobjSourceExternalContext(S3.newDatasetUri(), S3.conf());

  @TestSemantics
  CheckpointingMode[] semantics = new CheckpointingMode[] {CheckpointingMode.EXACTLY_ONCE};
}
