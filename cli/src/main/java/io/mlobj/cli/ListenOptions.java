package io.mlobj.cli;

import picocli.CommandLine.Option;

/**
 * {@code --host}, {@code --port} and the hidden {@code --run-for} of the commands that run a server
 * until interrupted ({@code serve}, {@code s3 serve}); each command passes its default port.
 */
final class ListenOptions {
  @Option(
      names = "--host",
      paramLabel = "ADDR",
      description = "Address to bind (default ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port (default ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  /** Stop after this many seconds (tests); negative: until interrupted. */
  @Option(names = "--run-for", hidden = true, paramLabel = "SECONDS")
  long runForSeconds = -1;

  ListenOptions(int defaultPort) {
    this.port = defaultPort;
  }
}
