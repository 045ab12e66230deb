package io.mlobj.feed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.Dataset;
import io.mlobj.Shard;
import io.mlobj.ShardFormat;
import io.mlobj.Snapshot;
import io.mlobj.ops.Importer;
import io.mlobj.s3server.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Starts what the Python tests and the benchmark need, in one process: an embedded S3 server, a
 * dataset of image-like samples (see {@link FeedTestData}) and, unless {@code --no-feed}, a feed
 * server with a bearer token. Prints one JSON line describing them, then runs until stdin closes.
 * Each {@code --import NAME=DIR} uploads the files of a local directory (e.g. Parquet written by
 * pyarrow) to {@code s3a://feed/NAME/incoming/} and adopts them with {@link Importer} as version 1
 * of dataset {@code s3a://feed/NAME}, listed under {@code "imports"} in the JSON line.
 *
 * <pre>
 * java --add-opens=java.base/java.nio=ALL-UNNAMED \
 *   -cp "$(cat target/test-classpath.txt):target/classes:target/test-classes" \
 *   io.mlobj.feed.FeedTestLauncher --shards 2 --batches 4 --rows 30 --size 8 [--format arrow] [--row-group-bytes N]
 * </pre>
 */
public final class FeedTestLauncher {
  private FeedTestLauncher() {}

  public static void main(String[] args) throws Exception {
    int shards = 2;
    int batches = 4;
    int rows = 30;
    int size = 8;
    long rowGroupBytes = 1024;
    boolean feed = true;
    ShardFormat format = ShardFormat.ARROW;
    String token = "pytest-token";
    Map<String, Path> imports = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--shards" -> shards = Integer.parseInt(args[++i]);
        case "--batches" -> batches = Integer.parseInt(args[++i]);
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--size" -> size = Integer.parseInt(args[++i]);
        case "--row-group-bytes" -> rowGroupBytes = Long.parseLong(args[++i]);
        case "--format" -> format = ShardFormat.parse(args[++i]);
        case "--token" -> token = args[++i];
        case "--no-feed" -> feed = false;
        case "--import" -> {
          String[] spec = args[++i].split("=", 2);
          imports.put(spec[0], Path.of(spec[1]));
        }
        default -> throw new IllegalArgumentException("Unknown option " + args[i]);
      }
    }
    try (EmbeddedS3 s3 = EmbeddedS3.builder().build().start();
        BufferAllocator allocator = new RootAllocator()) {
      s3.createBucket("feed");
      Map<String, String> conf = s3.hadoopConf();
      String uri = "s3a://feed/images";
      long total =
          FeedTestData.create(
              uri, conf, allocator, format, shards, batches, rows, size, size, rowGroupBytes);
      ObjectMapper json = new ObjectMapper();
      ObjectNode out = json.createObjectNode();
      out.put("dataset", uri);
      out.put("rows", total);
      out.put("version", Dataset.open(uri, conf).latestVersion());
      ObjectNode s3json = out.putObject("s3");
      s3json.put("endpoint", s3.endpoint());
      s3json.put("access_key", s3.accessKey());
      s3json.put("secret_key", s3.secretKey());
      s3json.put("bucket", "feed");
      s3json.put("prefix", "images");
      var keys = out.putArray("shards");
      for (Shard shard : Dataset.open(uri, conf).latest().shards()) {
        keys.add(shard.path());
      }
      ObjectNode imported = out.putObject("imports");
      for (Map.Entry<String, Path> e : imports.entrySet()) {
        imported.set(e.getKey(), importDir("s3a://feed/" + e.getKey(), conf, e.getValue(), json));
      }
      var confJson = out.putObject("conf");
      conf.forEach(confJson::put);
      FeedServer server = null;
      if (feed) {
        server =
            FeedServer.builder()
                .conf(conf)
                .token(token)
                .checkpointRoot("s3a://feed/registry")
                .build()
                .start();
        out.put("port", server.port());
        out.put("endpoint", server.endpoint());
        out.put("token", token);
      }
      System.out.println(out);
      System.out.flush();
      try {
        while (System.in.read() >= 0) {
          // Run until the parent closes stdin.
        }
      } finally {
        if (server != null) {
          server.close();
        }
      }
    }
  }

  /** Uploads every file of {@code dir} under {@code incoming/} and imports them, in name order. */
  private static ObjectNode importDir(
      String uri, Map<String, String> conf, Path dir, ObjectMapper json)
      throws java.io.IOException {
    Dataset dataset = Dataset.at(uri, conf);
    List<String> keys = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path file : files.sorted().toList()) {
        String key = "incoming/" + file.getFileName();
        dataset.store().put(key, Files.readAllBytes(file), Map.of());
        keys.add(key);
      }
    }
    Snapshot snapshot = Importer.importFiles(dataset, keys);
    ObjectNode out = json.createObjectNode();
    out.put("dataset", uri);
    out.put("version", snapshot.version());
    out.put("rows", snapshot.rows());
    out.put("prefix", uri.substring("s3a://feed/".length()));
    var shards = out.putArray("shards");
    keys.forEach(shards::add);
    return out;
  }
}
