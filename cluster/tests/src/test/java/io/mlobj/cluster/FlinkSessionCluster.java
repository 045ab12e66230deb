package io.mlobj.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink session cluster of separate JVMs on 127.0.0.1, started as {@code bin/jobmanager.sh} and
 * {@code bin/taskmanager.sh} of a Flink distribution start them: {@code
 * StandaloneSessionClusterEntrypoint} and {@code TaskManagerRunner} with {@code --configDir} and
 * the memory flags that {@code BashJavaUtils} computes from the configuration, on the class path
 * {@code lib/*} that {@code cluster/flink-home} assembles from Maven Central. The {@code flink} CLI
 * is {@code CliFrontend} on the same class path with {@code FLINK_CONF_DIR} set.
 */
final class FlinkSessionCluster implements AutoCloseable {
  private static final Duration START = Duration.ofMinutes(3);
  private static final Duration CLI = Duration.ofMinutes(4);

  private final Path home;
  private final Path conf;
  private final Path work;
  private final int restPort;
  private final Map<String, JvmProcess> taskManagers = new LinkedHashMap<>();
  private final List<JvmProcess> processes = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private JvmProcess jobManager;
  private int cliRuns;

  private FlinkSessionCluster(Path home, Path work, int restPort) {
    this.home = home;
    this.work = work;
    this.conf = work.resolve("conf");
    this.restPort = restPort;
  }

  /**
   * Writes {@code conf/config.yaml}, starts the JobManager and one TaskManager per id (each with
   * {@code slots} slots) and waits until every TaskManager has registered.
   */
  static FlinkSessionCluster start(Path home, Path work, int slots, String... taskManagerIds)
      throws IOException {
    FlinkSessionCluster cluster = new FlinkSessionCluster(home, work, freePort());
    try {
      cluster.writeConf(slots);
      cluster.startJobManager();
      for (String id : taskManagerIds) {
        cluster.startTaskManager(id);
      }
      for (String id : taskManagerIds) {
        cluster.awaitRegistered(id);
      }
      return cluster;
    } catch (RuntimeException | IOException e) {
      cluster.close();
      throw e;
    }
  }

  private void writeConf(int slots) throws IOException {
    Files.createDirectories(conf);
    Path checkpoints = Files.createDirectories(work.resolve("checkpoints"));
    Path savepoints = Files.createDirectories(work.resolve("savepoints"));
    Files.writeString(
        conf.resolve("config.yaml"),
        String.join(
            "\n",
            "jobmanager.rpc.address: 127.0.0.1",
            "jobmanager.bind-host: 127.0.0.1",
            "jobmanager.rpc.port: " + freePort(),
            "jobmanager.memory.process.size: 1000m",
            "rest.address: 127.0.0.1",
            "rest.bind-address: 127.0.0.1",
            "rest.port: " + restPort,
            // Random ports (0, the default) for the TaskManagers' RPC, data and metrics services.
            "taskmanager.host: 127.0.0.1",
            "taskmanager.bind-host: 127.0.0.1",
            "taskmanager.numberOfTaskSlots: " + slots,
            "taskmanager.memory.process.size: 1200m",
            "taskmanager.memory.managed.fraction: 0.1",
            // Arrow's buffers are direct memory, counted against the task off-heap budget.
            "taskmanager.memory.task.off-heap.size: 128m",
            "execution.checkpointing.dir: " + checkpoints.toUri(),
            "execution.checkpointing.savepoint-dir: " + savepoints.toUri(),
            "restart-strategy.type: fixed-delay",
            "restart-strategy.fixed-delay.attempts: 20",
            "restart-strategy.fixed-delay.delay: 1 s",
            // A SIGKILLed TaskManager is noticed after two failed heartbeat RPCs, not 50 s.
            "heartbeat.interval: 2000",
            "heartbeat.timeout: 30000",
            ""));
    Files.writeString(
        conf.resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.console.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
            "logger.pekko.name = org.apache.pekko",
            "logger.pekko.level = WARN",
            ""));
  }

  private void startJobManager() {
    List<List<String>> memory = resourceParams("GET_JM_RESOURCE_PARAMS");
    jobManager =
        daemon(
            "flink-jobmanager",
            memory.get(0),
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
            memory.get(1));
    jobManager.awaitLog("Rest endpoint listening at", START);
  }

  /** Starts a TaskManager whose resource id (as the REST API reports it) is {@code id}. */
  void startTaskManager(String id) {
    List<List<String>> memory = resourceParams("GET_TM_RESOURCE_PARAMS");
    List<String> args = new ArrayList<>(memory.get(1));
    args.addAll(List.of("-D", "taskmanager.resource-id=" + id));
    taskManagers.put(
        id,
        daemon(
            "flink-taskmanager-" + id,
            memory.get(0),
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
            args));
  }

  /** Waits until the TaskManager {@code id} has registered at the ResourceManager. */
  void awaitRegistered(String id) {
    taskManagers.get(id).awaitLog("Successful registration at resource manager", START);
  }

  /** The JVM flags and the {@code -D} dynamic properties {@code BashJavaUtils} computes. */
  private List<List<String>> resourceParams(String command) {
    JvmProcess utils =
        JvmProcess.start(
            "flink-bash-java-utils-" + command,
            List.of(),
            classPath(),
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            List.of(command, "--configDir", conf.toString()),
            Map.of(),
            work);
    try (utils) {
      if (utils.awaitExit(START) != 0) {
        throw new IllegalStateException("BashJavaUtils " + command + " failed; see " + utils.log());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    List<List<String>> results = new ArrayList<>();
    for (String line : utils.logText().split("\\R")) {
      if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
        String value = line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim();
        results.add(Arrays.asList(value.split(" +")));
      }
    }
    if (results.size() != 2) {
      throw new IllegalStateException(
          "BashJavaUtils " + command + " printed no JVM flags and properties; see " + utils.log());
    }
    return results;
  }

  private JvmProcess daemon(
      String name, List<String> jvmFlags, String mainClass, List<String> dynamicProperties) {
    List<String> jvmArgs = new ArrayList<>(jvmFlags);
    jvmArgs.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    args.addAll(dynamicProperties);
    JvmProcess process =
        JvmProcess.start(name, jvmArgs, classPath(), mainClass, args, Map.of(), work);
    processes.add(process);
    return process;
  }

  /**
   * Runs the {@code flink} CLI ({@code CliFrontend}) with these arguments and returns its output;
   * fails with the log's path when it exits non-zero.
   */
  String flink(String name, List<String> args) throws InterruptedException {
    JvmProcess cli =
        JvmProcess.start(
            "flink-cli-" + (++cliRuns) + "-" + name,
            List.of("-Xmx512m", "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties")),
            classPath(),
            "org.apache.flink.client.cli.CliFrontend",
            args,
            Map.of("FLINK_CONF_DIR", conf.toString()),
            work);
    try (cli) {
      int exit = cli.awaitExit(CLI);
      if (exit != 0) {
        throw new IllegalStateException(
            "flink " + String.join(" ", args) + " exited " + exit + "; see " + cli.log());
      }
      return cli.logText();
    }
  }

  /**
   * Starts the SQL gateway ({@code bin/sql-gateway.sh start-foreground}: {@code SqlGateway} on
   * {@code opt/*} and {@code lib/*}) on a free port of 127.0.0.1; returns its REST port. It submits
   * statements' jobs to this cluster.
   */
  int startSqlGateway() throws IOException {
    int port = freePort();
    JvmProcess gateway =
        JvmProcess.start(
            "flink-sql-gateway",
            List.of("-Xmx512m", "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties")),
            sqlClassPath(),
            "org.apache.flink.table.gateway.SqlGateway",
            List.of(
                "-Dsql-gateway.endpoint.rest.address=127.0.0.1",
                "-Dsql-gateway.endpoint.rest.bind-address=127.0.0.1",
                "-Dsql-gateway.endpoint.rest.port=" + port),
            Map.of("FLINK_CONF_DIR", conf.toString()),
            work);
    processes.add(gateway);
    gateway.awaitLog("Rest endpoint listening at", START);
    return port;
  }

  /** Starts the SQL client ({@code bin/sql-client.sh}: {@code SqlClient} with these arguments). */
  JvmProcess startSqlClient(List<String> args) {
    return JvmProcess.start(
        "flink-sql-client",
        List.of("-Xmx512m", "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties")),
        sqlClassPath(),
        "org.apache.flink.table.client.SqlClient",
        args,
        Map.of("FLINK_CONF_DIR", conf.toString()),
        work);
  }

  private String sqlClassPath() {
    return home.resolve("opt").toAbsolutePath() + "/*" + java.io.File.pathSeparator + classPath();
  }

  /** GET on the REST API; returns the JSON body. */
  String get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(restUrl() + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "GET " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  /** Cancels every job that is not finished, failed or canceled, and waits until it is CANCELED. */
  void cancelRunningJobs() throws IOException, InterruptedException {
    Matcher m =
        Pattern.compile("\\{\"id\":\"([0-9a-f]{32})\",\"status\":\"([A-Z_]+)\"\\}")
            .matcher(get("/jobs"));
    List<String> running = new ArrayList<>();
    while (m.find()) {
      if (!List.of("FINISHED", "FAILED", "CANCELED").contains(m.group(2))) {
        running.add(m.group(1));
      }
    }
    for (String jobId : running) {
      http.send(
          HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
              .method("PATCH", HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    for (String jobId : running) {
      awaitJobState(jobId, "CANCELED", Duration.ofMinutes(1));
    }
  }

  /** The job's state ({@code RUNNING}, {@code RESTARTING}, {@code FINISHED}, ...). */
  String jobState(String jobId) throws IOException, InterruptedException {
    return field(get("/jobs/" + jobId), "state");
  }

  void awaitJobState(String jobId, String state, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String current = jobState(jobId);
    while (!current.equals(state)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Job " + jobId + " is " + current + ", not " + state + " after " + timeout + logs());
      }
      JvmProcess.sleep(300);
      current = jobState(jobId);
    }
  }

  /** How many checkpoints of the job have completed. */
  long completedCheckpoints(String jobId) throws IOException, InterruptedException {
    Matcher m =
        Pattern.compile("\"completed\":(\\d+)").matcher(get("/jobs/" + jobId + "/checkpoints"));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Waits until {@code more} further checkpoints of the job have completed. */
  void awaitMoreCheckpoints(String jobId, int more, Duration timeout)
      throws IOException, InterruptedException {
    long target = completedCheckpoints(jobId) + more;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (completedCheckpoints(jobId) < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Job " + jobId + " completed no " + more + " more checkpoints in " + timeout + logs());
      }
      JvmProcess.sleep(300);
    }
  }

  static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("No \"" + name + "\" in " + json);
    }
    return m.group(1);
  }

  String jobManagerLog() {
    return jobManager.logText();
  }

  /** A sentence naming the logs to read when a wait fails. */
  String logs() {
    return "; see the logs in " + jobManager.log().getParent();
  }

  Path conf() {
    return conf;
  }

  private String classPath() {
    return home.resolve("lib").toAbsolutePath() + "/*";
  }

  private String restUrl() {
    return "http://127.0.0.1:" + restPort;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    // TaskManagers first, so none restarts work on a JobManager that is going away.
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).close();
    }
  }
}
