package io.mlobj.feed;

import io.mlobj.MlobjConf;
import io.mlobj.MlobjException;
import io.mlobj.Settings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Command line launcher: {@code java --add-opens=java.base/java.nio=ALL-UNNAMED -cp ...
 * io.mlobj.feed.FeedServerMain [options]}. Prints one line {@code {"port": N, "endpoint": "..."}}
 * on stdout once listening, then serves until killed.
 *
 * <pre>
 *   --host H               address to bind (default 127.0.0.1)
 *   --port N               port (default 0: a free one)
 *   --token-file F         bearer token read from a file (or env MLOBJ_FEED_TOKEN)
 *   --tls-cert F --tls-key F   PEM certificate chain and key
 *   --memory-cap BYTES     Arrow memory cap (e.g. 1g)
 *   --read-ahead BYTES     shard bytes fetched ahead / cached (e.g. 256m)
 *   --read-ahead-shards N  shards fetched ahead per stream
 *   --prepare-threads N    threads preprocessing the batches of one stream
 *   --cache-dir DIR        keep fetched shards on local disk for later epochs (default: none)
 *   --cache-size BYTES     most bytes kept there (default 16g)
 *   --conf k=v             storage setting (fs.s3a.*), repeatable
 *   --conf-file F          storage settings from a properties file
 *   --checkpoint-root URI  where checkpoint.put stores checkpoints
 * </pre>
 */
public final class FeedServerMain {
  private FeedServerMain() {}

  public static void main(String[] args) throws Exception {
    FeedServer.Builder builder = FeedServer.builder();
    Map<String, String> conf = new LinkedHashMap<>();
    String token = System.getenv("MLOBJ_FEED_TOKEN");
    Path cert = null;
    Path key = null;
    long readAhead = 256L << 20;
    int readAheadShards = 4;
    Path cacheDir = null;
    long cacheSize = MlobjConf.DEFAULT_CACHE_SIZE;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      if (value == null) {
        fail("option " + arg + " needs a value");
      }
      i++;
      switch (arg) {
        case "--host" -> builder.host(value);
        case "--port" -> builder.port(Integer.parseInt(value));
        case "--token-file" -> token = Files.readString(Path.of(value)).strip();
        case "--tls-cert" -> cert = Path.of(value);
        case "--tls-key" -> key = Path.of(value);
        case "--memory-cap" -> builder.memoryCap(MlobjConf.parseBytes(arg, value));
        case "--read-ahead" -> readAhead = MlobjConf.parseBytes(arg, value);
        case "--read-ahead-shards" -> readAheadShards = Integer.parseInt(value);
        case "--prepare-threads" -> builder.prepareThreads(Integer.parseInt(value));
        case "--cache-dir" -> cacheDir = Path.of(value);
        case "--cache-size" -> cacheSize = MlobjConf.parseBytes(arg, value);
        case "--conf" -> {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            fail("--conf needs key=value, got '" + value + "'");
          }
          conf.put(value.substring(0, eq), value.substring(eq + 1));
        }
        case "--conf-file" -> conf.putAll(load(Path.of(value)));
        case "--checkpoint-root" -> builder.checkpointRoot(value);
        default -> fail("unknown option " + arg);
      }
    }
    try {
      Settings.checkKeys(conf);
    } catch (MlobjException e) {
      fail(e.getMessage());
    }
    builder.token(token).conf(conf).readAhead(readAhead, readAheadShards);
    if (cacheDir != null) {
      builder.localCache(cacheDir, cacheSize);
    }
    if (cert != null || key != null) {
      builder.tls(cert, key);
    }
    FeedServer server = builder.build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mlobj-feed-shutdown"));
    System.out.println(
        "{\"port\": " + server.port() + ", \"endpoint\": \"" + server.endpoint() + "\"}");
    System.out.flush();
    server.awaitTermination();
  }

  private static Map<String, String> load(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  private static void fail(String message) {
    System.err.println("Cannot start the feed server: " + message + ". See docs/trainer-feed.md.");
    System.exit(2);
  }
}
