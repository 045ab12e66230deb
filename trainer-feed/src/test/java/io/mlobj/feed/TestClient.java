package io.mlobj.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** A real Flight client for tests, with the bearer token when one is given. */
final class TestClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final FlightClient client;
  private final CallOption[] options;

  TestClient(BufferAllocator allocator, int port, String token) {
    this.client =
        FlightClient.builder(allocator, Location.forGrpcInsecure("127.0.0.1", port)).build();
    if (token == null) {
      options = new CallOption[0];
    } else {
      FlightCallHeaders headers = new FlightCallHeaders();
      headers.insert("authorization", "Bearer " + token);
      options = new CallOption[] {new HeaderCallOption(headers)};
    }
  }

  /** Streams a request, handing each batch to {@code onBatch}. */
  void stream(ObjectNode request, Consumer<VectorSchemaRoot> onBatch) {
    try (FlightStream stream =
        client.getStream(
            new Ticket(request.toString().getBytes(StandardCharsets.UTF_8)), options)) {
      while (stream.next()) {
        onBatch.accept(stream.getRoot());
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ids of every sample of a request, batch by batch. */
  List<List<Long>> idBatches(ObjectNode request) {
    List<List<Long>> out = new ArrayList<>();
    stream(
        request,
        root -> {
          BigIntVector ids = (BigIntVector) root.getVector("id");
          List<Long> batch = new ArrayList<>();
          for (int i = 0; i < root.getRowCount(); i++) {
            batch.add(ids.get(i));
          }
          out.add(batch);
        });
    return out;
  }

  /** The ids of every sample of a request, in order. */
  List<Long> ids(ObjectNode request) {
    List<Long> out = new ArrayList<>();
    idBatches(request).forEach(out::addAll);
    return out;
  }

  org.apache.arrow.flight.FlightInfo info(ObjectNode request) {
    return client.getInfo(
        org.apache.arrow.flight.FlightDescriptor.command(
            request.toString().getBytes(StandardCharsets.UTF_8)),
        options);
  }

  JsonNode action(String type, byte[] body) {
    var results = client.doAction(new Action(type, body), options);
    Result r = results.next();
    try {
      return JSON.readTree(r.getBody());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    client.close();
  }
}
