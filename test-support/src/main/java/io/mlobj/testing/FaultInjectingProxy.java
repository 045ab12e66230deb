package io.mlobj.testing;

import io.mlobj.s3server.EmbeddedS3;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A small HTTP/1.1 proxy on 127.0.0.1 in front of an S3 endpoint (usually {@link EmbeddedS3}) that
 * injects the faults real object stores show: {@code 503 SlowDown} with an S3 XML error body,
 * connection resets (before the request reaches the server, after the server handled it, or half
 * way through the response) and latency. Faults follow {@link Rule}s matched by method and path,
 * each firing with a probability and at most a fixed number of times, so a test is bounded and the
 * proxy turns into a plain pass-through once its rules are spent.
 *
 * <pre>{@code
 * try (FaultInjectingProxy proxy = FaultInjectingProxy.inFrontOf(s3.endpoint()).start()) {
 *   proxy.add(Rule.slowDown().method("GET").pathMatching("/[^?]+/data/[^?]+").times(3));
 *   Map<String, String> conf = s3.hadoopConf(proxy.endpoint());
 *   ... // reads retry through the three 503s
 *   assertThat(proxy.injected()).isEqualTo(3);
 * }
 * }</pre>
 *
 * <p>{@code Expect: 100-continue} is answered by the proxy itself (the header is not signed by
 * SigV4), so request bodies are always read whole before a rule decides what happens to them.
 */
public final class FaultInjectingProxy implements AutoCloseable {
  private static final byte[] CRLF = {'\r', '\n'};

  /** Upstream connections idle longer than this are replaced before the next request. */
  private static final long UPSTREAM_IDLE_NANOS = 5_000_000_000L;

  private final URI upstream;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger injected = new AtomicInteger();
  private final ExecutorService connections;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private ServerSocket server;
  private volatile boolean closed;
  private volatile Link download;
  private volatile Link upload;

  private FaultInjectingProxy(URI upstream) {
    this.upstream = upstream;
    AtomicInteger n = new AtomicInteger();
    this.connections =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fault-proxy-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** A proxy for the endpoint URL, e.g. {@code http://127.0.0.1:41234}; call {@link #start()}. */
  public static FaultInjectingProxy inFrontOf(String endpointUrl) {
    URI uri = URI.create(endpointUrl);
    if (!"http".equals(uri.getScheme()) || uri.getPort() < 0) {
      throw new IllegalArgumentException(
          "Cannot proxy "
              + endpointUrl
              + ": only plain http://host:port endpoints are supported. Give the embedded"
              + " server's endpoint().");
    }
    return new FaultInjectingProxy(uri);
  }

  /** Binds 127.0.0.1 on a free port and starts accepting connections. */
  public FaultInjectingProxy start() {
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start the fault-injecting proxy: " + e, e);
    }
    connections.execute(this::acceptLoop);
    return this;
  }

  /** The proxy's URL, to use as {@code fs.s3a.endpoint}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Adds a rule; rules are tried in the order added. */
  public FaultInjectingProxy add(Rule rule) {
    rules.add(rule);
    return this;
  }

  /** Removes every rule: the proxy passes everything through from now on. */
  public void clearRules() {
    rules.clear();
  }

  /**
   * Caps the bytes per second of response bodies (downloads) and of request bodies (uploads), each
   * direction shared by all connections, as a network link of that bandwidth would; {@code 0}
   * removes the cap. Bodies are paced in 64 KiB steps.
   */
  public FaultInjectingProxy bandwidth(long bytesPerSecond) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "Cannot cap bandwidth at " + bytesPerSecond + " bytes/s: use a positive rate, or 0.");
    }
    download = bytesPerSecond == 0 ? null : new Link(bytesPerSecond);
    upload = bytesPerSecond == 0 ? null : new Link(bytesPerSecond);
    return this;
  }

  /** Requests seen so far. */
  public int requests() {
    return requests.get();
  }

  /** Faults injected so far (latency included). */
  public int injected() {
    return injected.get();
  }

  /** One line per request, {@code "<METHOD> <path> -> <outcome>"}, in arrival order. */
  public List<String> log() {
    return List.copyOf(log);
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (server != null) {
        server.close();
      }
    } catch (IOException ignored) {
      // Closing anyway.
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
    connections.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        open.add(client);
        connections.execute(() -> serve(client));
      } catch (IOException e) {
        if (!closed) {
          log.add("accept failed: " + e);
        }
        return;
      }
    }
  }

  private void serve(Socket client) {
    Socket up = null;
    long upLastUsed = 0;
    InputStream upIn = null;
    OutputStream upOut = null;
    try (client) {
      client.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(client.getInputStream(), 64 << 10);
      OutputStream out = client.getOutputStream();
      while (!closed) {
        Head request = Head.read(in);
        if (request == null) {
          return;
        }
        requests.incrementAndGet();
        if (request.header("expect") != null) {
          out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          request.remove("expect");
        }
        byte[] body = readBody(in, request, false);
        String method = request.method();
        String path = request.target();
        Fault fault = Fault.NONE;
        for (Rule rule : rules) {
          if (rule.fires(method, path)) {
            injected.incrementAndGet();
            if (rule.fault == Fault.LATENCY) {
              sleep(rule.latency);
              continue;
            }
            fault = rule.fault;
            break;
          }
        }
        log.add(method + " " + path + " -> " + fault.name().toLowerCase(Locale.ROOT));
        if (fault == Fault.SLOW_DOWN) {
          writeSlowDown(out, path);
          continue;
        }
        if (fault == Fault.RESET_BEFORE_FORWARD) {
          reset(client);
          return;
        }
        // A server closes idle connections (S3Proxy's Jetty after a timeout) without telling the
        // proxy; a request sent on one would fail as if a fault were injected. Open a fresh one.
        if (up != null && System.nanoTime() - upLastUsed > UPSTREAM_IDLE_NANOS) {
          open.remove(up);
          closeQuietly(up);
          up = null;
        }
        if (up == null || up.isClosed()) {
          up = new Socket(upstream.getHost(), upstream.getPort());
          up.setTcpNoDelay(true);
          open.add(up);
          upIn = new BufferedInputStream(up.getInputStream(), 64 << 10);
          upOut = up.getOutputStream();
        }
        Link uplink = upload;
        if (uplink != null) {
          uplink.send(body.length);
        }
        request.writeTo(upOut, body);
        upOut.flush();
        upLastUsed = System.nanoTime();
        Head response = Head.read(upIn);
        while (response != null && response.status() == 100) {
          response = Head.read(upIn);
        }
        if (response == null) {
          throw new EOFException("upstream closed the connection");
        }
        boolean noBody =
            "HEAD".equals(method) || response.status() == 204 || response.status() == 304;
        if (fault == Fault.RESET_AFTER_FORWARD) {
          if (!noBody) {
            readBody(upIn, response, true);
          }
          reset(client);
          if ("close".equalsIgnoreCase(response.header("connection"))) {
            closeQuietly(up);
          }
          return;
        }
        if (fault == Fault.RESET_MID_RESPONSE) {
          response.writeTo(out, null);
          String length = response.header("content-length");
          long half = length == null || noBody ? 0 : Long.parseLong(length.trim()) / 2;
          copy(upIn, out, half);
          out.flush();
          reset(client);
          closeQuietly(up);
          return;
        }
        response.writeTo(out, null);
        if (!noBody) {
          Link link = download;
          copyBody(upIn, link == null ? out : new PacedOutputStream(out, link), response);
        }
        upLastUsed = System.nanoTime();
        out.flush();
        if ("close".equalsIgnoreCase(response.header("connection"))
            || "close".equalsIgnoreCase(request.header("connection"))) {
          return;
        }
      }
    } catch (IOException e) {
      // The client or the server went away; the next request opens a new connection.
    } finally {
      open.remove(client);
      if (up != null) {
        open.remove(up);
        closeQuietly(up);
      }
    }
  }

  private static void writeSlowDown(OutputStream out, String path) throws IOException {
    String xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
            + "<Message>Please reduce your request rate.</Message><Resource>"
            + path.replace("&", "&amp;").replace("<", "&lt;")
            + "</Resource><RequestId>fault-injecting-proxy</RequestId></Error>";
    byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
            + bytes.length
            + "\r\nx-amz-request-id: fault-injecting-proxy\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /** Aborts the connection with a TCP RST, as a crashed load balancer would. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // Closing is what matters.
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing to do.
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads a whole body (Content-Length or chunked, re-framed with Content-Length). */
  private static byte[] readBody(InputStream in, Head head, boolean discard) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    OutputStream sink = discard ? OutputStream.nullOutputStream() : body;
    if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
      copyChunks(in, sink, false);
      if (!discard) {
        head.remove("transfer-encoding");
        head.set("Content-Length", String.valueOf(body.size()));
      }
    } else {
      String length = head.header("content-length");
      if (length != null) {
        copy(in, sink, Long.parseLong(length.trim()));
      }
    }
    return body.toByteArray();
  }

  private static void copyBody(InputStream in, OutputStream out, Head head) throws IOException {
    if ("chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
      copyChunks(in, out, true);
      return;
    }
    String length = head.header("content-length");
    if (length != null) {
      copy(in, out, Long.parseLong(length.trim()));
    } else {
      in.transferTo(out); // read until the server closes
    }
  }

  /** Copies a chunked body; with {@code framed} the chunk framing is copied too. */
  private static void copyChunks(InputStream in, OutputStream out, boolean framed)
      throws IOException {
    while (true) {
      String line = Head.readLine(in);
      if (line == null) {
        throw new EOFException("chunked body ended early");
      }
      int semi = line.indexOf(';');
      long size = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
      if (framed) {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      }
      if (size == 0) {
        String trailer;
        while ((trailer = Head.readLine(in)) != null && !trailer.isEmpty()) {
          if (framed) {
            out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          }
        }
        if (framed) {
          out.write(CRLF);
        }
        return;
      }
      copy(in, out, size);
      Head.readLine(in);
      if (framed) {
        out.write(CRLF);
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[64 << 10];
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new EOFException("body ended " + left + " bytes early");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  /** A link of fixed bandwidth shared by every connection: senders queue for their turn. */
  private static final class Link {
    private final double nanosPerByte;
    private long nextFree;

    Link(long bytesPerSecond) {
      this.nanosPerByte = 1e9 / bytesPerSecond;
    }

    /** Blocks until {@code bytes} would have passed the link after everything queued before. */
    void send(long bytes) {
      long due;
      synchronized (this) {
        long now = System.nanoTime();
        long start = Math.max(now, nextFree);
        nextFree = start + (long) (bytes * nanosPerByte);
        due = nextFree;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Writes through a {@link Link}: each write waits for its share of the bandwidth. */
  private static final class PacedOutputStream extends java.io.FilterOutputStream {
    private final Link link;

    PacedOutputStream(OutputStream out, Link link) {
      super(out);
      this.link = link;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      link.send(len);
      out.write(b, off, len);
    }

    @Override
    public void write(int b) throws IOException {
      link.send(1);
      out.write(b);
    }
  }

  /** What a rule does to a matching request. */
  public enum Fault {
    /** Pass the request through unchanged. */
    NONE,
    /** Answer {@code 503 SlowDown} without contacting the server. */
    SLOW_DOWN,
    /** Reset the connection before the server sees the request. */
    RESET_BEFORE_FORWARD,
    /** Let the server handle the request, then reset instead of answering: an unknown outcome. */
    RESET_AFTER_FORWARD,
    /** Send the response head and half of the body, then reset. */
    RESET_MID_RESPONSE,
    /** Delay the request, then handle it normally (other rules may still apply). */
    LATENCY
  }

  /**
   * When and how often to inject one fault. A rule matches a request by method (any by default) and
   * a regular expression over the request target (path and query, e.g. {@code
   * /bucket/ds/_mlobj/versions/...json}); a matching request triggers it with the rule's
   * probability, at most {@link #times(int)} times (default once), optionally after skipping the
   * first matches.
   */
  public static final class Rule {
    private final Fault fault;
    private final Duration latency;
    private String method;
    private Pattern path = Pattern.compile(".*");
    private double probability = 1.0;
    private int times = 1;
    private int skip;
    private Random random = new Random(42);
    private final AtomicInteger fired = new AtomicInteger();
    private final AtomicInteger matched = new AtomicInteger();

    private Rule(Fault fault, Duration latency) {
      this.fault = fault;
      this.latency = latency;
    }

    /** Answers {@code 503 SlowDown} (an S3 XML error body) instead of forwarding. */
    public static Rule slowDown() {
      return new Rule(Fault.SLOW_DOWN, Duration.ZERO);
    }

    /** Resets the connection before the request reaches the server. */
    public static Rule resetBeforeForward() {
      return new Rule(Fault.RESET_BEFORE_FORWARD, Duration.ZERO);
    }

    /** Forwards the request, then resets instead of answering: the client cannot tell. */
    public static Rule resetAfterForward() {
      return new Rule(Fault.RESET_AFTER_FORWARD, Duration.ZERO);
    }

    /** Forwards the request, sends half of the response body, then resets. */
    public static Rule resetMidResponse() {
      return new Rule(Fault.RESET_MID_RESPONSE, Duration.ZERO);
    }

    /** Delays matching requests by this much before handling them. */
    public static Rule latency(Duration delay) {
      if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(30)) > 0) {
        throw new IllegalArgumentException(
            "Cannot add latency of " + delay + ": use 0..30 seconds so tests stay bounded.");
      }
      return new Rule(Fault.LATENCY, delay);
    }

    /** Only requests with this HTTP method (GET, PUT, HEAD, DELETE, POST). */
    public Rule method(String method) {
      this.method = method.toUpperCase(Locale.ROOT);
      return this;
    }

    /** Only requests whose target (path and query) matches this regular expression. */
    public Rule pathMatching(String regex) {
      this.path = Pattern.compile(regex);
      return this;
    }

    /** Fires on a matching request with this probability (default 1); seeded, so repeatable. */
    public Rule probability(double probability, long seed) {
      if (probability <= 0 || probability > 1) {
        throw new IllegalArgumentException(
            "Cannot use probability " + probability + ": expected a value in (0, 1].");
      }
      this.probability = probability;
      this.random = new Random(seed);
      return this;
    }

    /** Fires at most this many times (default 1), then the rule is spent. */
    public Rule times(int times) {
      if (times < 1 || times > 10_000) {
        throw new IllegalArgumentException(
            "Cannot fire a rule " + times + " times: expected 1..10000 so tests stay bounded.");
      }
      this.times = times;
      return this;
    }

    /** Lets the first {@code n} matching requests through before firing. */
    public Rule afterSkipping(int n) {
      this.skip = n;
      return this;
    }

    /** How often the rule fired. */
    public int fired() {
      return fired.get();
    }

    /** Whether the rule has fired as often as allowed. */
    public boolean spent() {
      return fired.get() >= times;
    }

    synchronized boolean fires(String requestMethod, String target) {
      if (spent()
          || (method != null && !method.equals(requestMethod))
          || !path.matcher(target).matches()) {
        return false;
      }
      if (matched.incrementAndGet() <= skip) {
        return false;
      }
      if (probability < 1 && random.nextDouble() >= probability) {
        return false;
      }
      fired.incrementAndGet();
      return true;
    }

    @Override
    public String toString() {
      return fault + (method == null ? "" : " " + method) + " " + path + " x" + times;
    }
  }

  /** A request or response head: the start line and headers in order. */
  private static final class Head {
    private final String startLine;
    private final List<String[]> headers;

    private Head(String startLine, List<String[]> headers) {
      this.startLine = startLine;
      this.headers = headers;
    }

    static Head read(InputStream in) throws IOException {
      String start = readLine(in);
      while (start != null && start.isEmpty()) {
        start = readLine(in);
      }
      if (start == null) {
        return null;
      }
      List<String[]> headers = new ArrayList<>();
      String line;
      while ((line = readLine(in)) != null && !line.isEmpty()) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.add(new String[] {line.substring(0, colon), line.substring(colon + 1).trim()});
        }
      }
      return new Head(start, headers);
    }

    /** A CRLF-terminated line without the terminator, or null at end of stream. */
    static String readLine(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          int len = line.length();
          if (len > 0 && line.charAt(len - 1) == '\r') {
            line.setLength(len - 1);
          }
          return line.toString();
        }
        line.append((char) c);
      }
      return line.length() == 0 ? null : line.toString();
    }

    String method() {
      return startLine.substring(0, Math.max(0, startLine.indexOf(' ')));
    }

    String target() {
      String[] parts = startLine.split(" ");
      return parts.length > 1 ? parts[1] : "";
    }

    int status() {
      String[] parts = startLine.split(" ");
      try {
        return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    String header(String name) {
      for (String[] h : headers) {
        if (h[0].equalsIgnoreCase(name)) {
          return h[1];
        }
      }
      return null;
    }

    void remove(String name) {
      headers.removeIf(h -> h[0].equalsIgnoreCase(name));
    }

    void set(String name, String value) {
      remove(name);
      headers.add(new String[] {name, value});
    }

    void writeTo(OutputStream out, byte[] body) throws IOException {
      StringBuilder text = new StringBuilder(startLine).append("\r\n");
      for (String[] h : headers) {
        text.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      text.append("\r\n");
      out.write(text.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) {
        out.write(body);
      }
    }
  }
}
