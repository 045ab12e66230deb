package io.mlobj.internal.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.apache.http.HttpHost;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.protocol.HttpContext;

/**
 * The {@code https} socket factory of a client whose endpoint is plain {@code http}: it never
 * connects. Giving it to the HTTP client skips building the default TLS context (loading the trust
 * store, the public-suffix list for host name checks), which is a large part of creating a client
 * for a command that runs for a second against a local server.
 */
final class NoTlsSocketFactory implements ConnectionSocketFactory {
  private final String endpoint;

  NoTlsSocketFactory(String endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public Socket createSocket(HttpContext context) throws IOException {
    throw refused();
  }

  @Override
  public Socket connectSocket(
      int connectTimeout,
      Socket socket,
      HttpHost host,
      InetSocketAddress remoteAddress,
      InetSocketAddress localAddress,
      HttpContext context)
      throws IOException {
    throw refused();
  }

  private IOException refused() {
    return new IOException(
        "Cannot open an https connection: the S3 client was built for the plain http endpoint "
            + endpoint
            + ". Give an https:// endpoint (or fs.s3a.connection.ssl.enabled=true) for TLS.");
  }
}
