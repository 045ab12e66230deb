package io.mlobj.docs;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink the docs blocks run on: one MiniCluster for the whole run, started on first use (like
 * the Spark session; the table planner's first job is slow, so it is shared), and stream
 * environments that submit to it through its REST endpoint, as a client submits to a session
 * cluster. The compiled blocks' directory is on each job's class path ({@code pipeline.classpaths},
 * like a job jar). While the cluster runs it is also the context environment, so library code a
 * block calls that uses {@code StreamExecutionEnvironment.getExecutionEnvironment()} runs there
 * too.
 */
final class FlinkCluster {
  private static final int SLOTS = 4;

  private static MiniCluster cluster;
  private static URI rest;

  private FlinkCluster() {}

  /** A fresh environment (parallelism 1) on the shared cluster, starting it if needed. */
  static synchronized Environment environment(Path classes) throws Exception {
    if (cluster == null) {
      Configuration config = new Configuration();
      config.set(RestOptions.BIND_PORT, "0");
      config.set(RestOptions.ADDRESS, "127.0.0.1");
      MiniCluster started =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(config)
                  .setNumTaskManagers(1)
                  .setNumSlotsPerTaskManager(SLOTS)
                  .build());
      started.start();
      cluster = started;
      rest = started.getRestAddress().get();
      Environment.setAsContext(classes);
    }
    return new Environment(clientConfig(classes, new Configuration()));
  }

  /** {@code base} plus what submits to the shared cluster; parallelism 1 unless base sets it. */
  private static synchronized Configuration clientConfig(Path classes, Configuration base) {
    Configuration config = new Configuration(base);
    config.set(DeploymentOptions.TARGET, "remote");
    config.set(DeploymentOptions.ATTACHED, true); // execute() waits for the job's end
    config.set(RestOptions.ADDRESS, rest.getHost());
    config.set(RestOptions.PORT, rest.getPort());
    config.set(PipelineOptions.CLASSPATHS, List.of(classes.toUri().toString()));
    if (!config.contains(CoreOptions.DEFAULT_PARALLELISM)) {
      config.set(CoreOptions.DEFAULT_PARALLELISM, 1);
    }
    return config;
  }

  /** Stops the shared cluster, if one was started. */
  static synchronized void stop() throws Exception {
    if (cluster != null) {
      Environment.unsetAsContext();
      cluster.close();
      cluster = null;
    }
  }

  /**
   * A stream environment on the shared cluster that remembers the sources created on it after
   * {@link #mark()}, so the harness can run a block that builds a source and leaves it without a
   * sink (as the source examples do).
   */
  static final class Environment extends StreamExecutionEnvironment {
    private final Set<DataStream<?>> sources = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean recording;

    Environment(Configuration config) {
      super(config);
    }

    static void setAsContext(Path classes) {
      initializeContextEnvironment(conf -> new Environment(clientConfig(classes, conf)));
    }

    static void unsetAsContext() {
      resetContextEnvironment();
    }

    /** From now on, remember the sources created (the context's own come before). */
    void mark() {
      recording = true;
    }

    /** The sources created since {@link #mark()}, in no particular order. */
    List<DataStream<?>> blockSources() {
      return new ArrayList<>(sources);
    }

    @Override
    public <OUT> DataStreamSource<OUT> fromSource(
        Source<OUT, ?, ?> source, WatermarkStrategy<OUT> watermarks, String name) {
      return remember(super.fromSource(source, watermarks, name));
    }

    @Override
    public <OUT> DataStreamSource<OUT> fromSource(
        Source<OUT, ?, ?> source,
        WatermarkStrategy<OUT> watermarks,
        String name,
        TypeInformation<OUT> type) {
      return remember(super.fromSource(source, watermarks, name, type));
    }

    private <OUT> DataStreamSource<OUT> remember(DataStreamSource<OUT> stream) {
      if (recording) {
        sources.add(stream);
      }
      return stream;
    }
  }
}
