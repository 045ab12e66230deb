package io.mlobj.feed.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The benchmark's loopback limit: fetches one stream from a feed server once, keeps its record
 * batches in memory (the first {@value #KEPT_BYTES} bytes of them; later ones are counted, not
 * kept), and serves as many batches to every DoGet (whatever the ticket), cycling over the kept
 * ones, doing nothing else. Prints {@code {"port": N}} once ready.
 *
 * <pre>
 * java ... io.mlobj.feed.bench.NoOpFlightServer FEED_PORT TOKEN REQUEST_JSON_FILE
 * </pre>
 */
public final class NoOpFlightServer {
  private NoOpFlightServer() {}

  /** Batches kept in memory: an epoch of float32 images can exceed the direct memory. */
  private static final long KEPT_BYTES = 512L << 20;

  public static void main(String[] args) throws Exception {
    int feedPort = Integer.parseInt(args[0]);
    String token = args[1];
    byte[] request = Files.readString(Path.of(args[2])).getBytes(StandardCharsets.UTF_8);
    BufferAllocator allocator = new RootAllocator();
    List<ArrowRecordBatch> batches = new ArrayList<>();
    Schema schema;
    FlightCallHeaders headers = new FlightCallHeaders();
    headers.insert("authorization", "Bearer " + token);
    CallOption auth = new HeaderCallOption(headers);
    // The client stays open: the kept batches live in its allocator.
    FlightClient client =
        FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", feedPort)).build();
    FlightStream stream = client.getStream(new Ticket(request), auth);
    schema = stream.getSchema();
    long kept = 0;
    int total = 0;
    while (stream.next()) {
      total++;
      if (kept < KEPT_BYTES) {
        ArrowRecordBatch batch = new VectorUnloader(stream.getRoot()).getRecordBatch();
        kept += batch.computeBodyLength();
        batches.add(batch);
      }
    }
    Schema served = schema;
    int count = total;
    NoOpFlightProducer producer =
        new NoOpFlightProducer() {
          @Override
          public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
            try (VectorSchemaRoot root = VectorSchemaRoot.create(served, allocator)) {
              VectorLoader loader = new VectorLoader(root);
              listener.start(root);
              for (int b = 0; b < count; b++) {
                loader.load(batches.get(b % batches.size()));
                while (!listener.isReady() && !listener.isCancelled()) {
                  LockSupport.parkNanos(20_000);
                }
                if (listener.isCancelled()) {
                  return;
                }
                listener.putNext();
              }
              listener.completed();
            }
          }
        };
    FlightServer server =
        FlightServer.builder(allocator, Location.forGrpcInsecure("127.0.0.1", 0), producer)
            .build()
            .start();
    System.out.println("{\"port\": " + server.getPort() + ", \"batches\": " + count + "}");
    System.out.flush();
    server.awaitTermination();
  }
}
