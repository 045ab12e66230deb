package io.mlobj.cli;

import io.mlobj.MlobjConf;
import io.mlobj.feed.FeedServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mlobj serve}: the trainer feed (Arrow Flight) over mlobj datasets. */
@Command(
    name = "serve",
    description = {
      "Serve datasets to trainers over Arrow Flight (the trainer feed), until interrupted.",
      "Binds 127.0.0.1 by default; any other address needs --token-file and --tls-cert/--tls-key.",
      "Checkpoints sent with the checkpoint.put action go to --registry (or mlobj.registry)."
    })
final class ServeCommand implements Callable<Integer> {
  @Mixin CommonOptions opts;

  @Mixin ListenOptions listen = new ListenOptions(8815);

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "Bearer token clients must send, read from a file (default: $MLOBJ_FEED_TOKEN).")
  Path tokenFile;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "TLS certificate chain.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "TLS private key.")
  Path tlsKey;

  @Option(
      names = "--memory-cap",
      paramLabel = "BYTES",
      description = "Arrow memory cap, e.g. 1g (default 1g).")
  String memoryCap = "1g";

  @Option(
      names = "--read-ahead",
      paramLabel = "BYTES",
      description = "Shard bytes fetched ahead, e.g. 256m (default 256m).")
  String readAhead = "256m";

  @Option(
      names = "--read-ahead-shards",
      paramLabel = "N",
      description = "Shards fetched ahead per stream (default 4).")
  int readAheadShards = 4;

  @Option(
      names = "--fetch-threads",
      paramLabel = "N",
      description = "Parallel shard fetches (default 4).")
  int fetchThreads = 4;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      description =
          "Keep fetched shards on local disk so later epochs read them from there"
              + " (default: none; same as the setting mlobj.cache.dir).")
  Path cacheDir;

  @Option(
      names = "--cache-size",
      paramLabel = "BYTES",
      description = "Most bytes kept in --cache-dir, e.g. 100g (default 16g).")
  String cacheSize = "16g";

  @Mixin RegistryOption registry;

  @Override
  public Integer call() throws Exception {
    String token = System.getenv("MLOBJ_FEED_TOKEN");
    if (tokenFile != null) {
      try {
        token = Files.readString(tokenFile).strip();
      } catch (IOException e) {
        throw new CliException(
            ExitCodes.USAGE,
            "Cannot read the token file " + tokenFile + ": " + e.getMessage() + ".");
      }
    }
    MlobjConf conf = opts.conf();
    FeedServer.Builder builder =
        FeedServer.builder()
            .host(listen.host)
            .port(listen.port)
            .token(token)
            .memoryCap(MlobjConf.parseBytes("--memory-cap", memoryCap))
            .readAhead(MlobjConf.parseBytes("--read-ahead", readAhead), readAheadShards)
            .fetchThreads(fetchThreads)
            .conf(conf.asMap());
    if (cacheDir != null) {
      builder.localCache(cacheDir, MlobjConf.parseBytes("--cache-size", cacheSize));
    }
    if (tlsCert != null || tlsKey != null) {
      builder.tls(tlsCert, tlsKey);
    }
    String reg = registry.orConfigured(opts);
    if (reg != null) {
      builder.checkpointRoot(reg);
    }
    FeedServer server = builder.build().start();
    boolean authenticated = token != null;
    return Foreground.serve(
        server::close,
        "mlobj-feed-stop",
        listen.runForSeconds,
        () -> {
          Output out = opts.output();
          if (out.json()) {
            out.json(
                Output.object(
                    "endpoint", server.endpoint(), "port", server.port(), "registry", reg));
          } else {
            out.line(
                "Trainer feed on "
                    + server.endpoint()
                    + (authenticated ? " (bearer token required)" : "")
                    + ".");
            out.line(
                "Python: MlobjIterableDataset(\""
                    + server.endpoint()
                    + "\", \"s3a://bucket/dataset\", batch_size=256)"
                    + (reg != null ? "; checkpoints go to " + reg : "")
                    + ". Press Ctrl-C to stop.");
          }
        });
  }
}
