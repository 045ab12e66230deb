package io.mlobj.feed.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.feed.CheckpointStore;
import io.mlobj.feed.FeedErrors;
import io.mlobj.feed.FeedRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flight side of the feed: DoGet streams (ticket = request JSON), GetFlightInfo (command =
 * request JSON) and the actions {@code metrics}, {@code plan} and {@code checkpoint.put}. Every
 * failure becomes a Flight status on that call only; the server keeps serving others.
 */
public final class FeedProducer extends NoOpFlightProducer {
  private static final Logger LOG = LoggerFactory.getLogger(FeedProducer.class);

  /** Actions, by name, with their descriptions. */
  public static final Map<String, String> ACTIONS = new LinkedHashMap<>();

  static {
    ACTIONS.put("metrics", "Server counters as JSON: samples/s, bytes/s, storage vs client wait");
    ACTIONS.put("plan", "Body: request JSON. The resolved version, epoch size and batches");
    ACTIONS.put(
        "checkpoint.put",
        "Body: 4-byte big-endian header length, JSON header {model, metadata, lineage}, model"
            + " bytes. Stores a checkpoint with its lineage; returns its JSON");
  }

  private final FeedService service;
  private final CheckpointStore checkpoints;
  private final AtomicLong streamIds = new AtomicLong();

  public FeedProducer(FeedService service, CheckpointStore checkpoints) {
    this.service = service;
    this.checkpoints = checkpoints;
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    long id = streamIds.incrementAndGet();
    service.metrics.streamsStarted.incrementAndGet();
    service.metrics.streamsActive.incrementAndGet();
    try (BufferAllocator allocator =
        service.allocator.newChildAllocator("feed-stream-" + id, 0, Long.MAX_VALUE)) {
      try {
        FeedRequest request = FeedRequest.parse(ticket.getBytes());
        FeedService.Resolved resolved = service.resolve(request);
        new FeedStream(service, resolved, listener, allocator).run();
      } finally {
        awaitReleased(allocator);
      }
    } catch (RuntimeException e) {
      service.metrics.streamsFailed.incrementAndGet();
      if (e instanceof io.mlobj.MlobjException) {
        LOG.warn("Stream {} failed: {}", id, e.getMessage());
      } else {
        LOG.error("Stream {} failed unexpectedly", id, e);
      }
      listener.error(FeedErrors.toFlight(e));
    } finally {
      service.metrics.streamsActive.decrementAndGet();
    }
  }

  /**
   * Waits (a bounded time) until gRPC has released the stream's last batches: with zero-copy writes
   * ({@code arrow.flight.enable_zero_copy_write}) it holds their buffers until they are on the
   * wire, which can be after the stream completed.
   */
  private static void awaitReleased(BufferAllocator allocator) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (allocator.getAllocatedMemory() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    try {
      if (!descriptor.isCommand()) {
        throw FeedErrors.badRequest("the descriptor must be a command holding the request JSON");
      }
      FeedRequest request = FeedRequest.parse(descriptor.getCommand());
      FeedService.Resolved resolved = service.resolve(request);
      JsonNode plan = service.describe(resolved);
      long records = plan.get("batches").asLong() * request.batchSize();
      return new FlightInfo(
          resolved.pipeline().outputSchema(),
          descriptor,
          List.of(new FlightEndpoint(new Ticket(descriptor.getCommand()))),
          -1,
          records);
    } catch (RuntimeException e) {
      throw FeedErrors.toFlight(e);
    }
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    try {
      byte[] answer =
          switch (action.getType()) {
            case "metrics" -> bytes(service.metrics.toJson().toString());
            case "plan" ->
                bytes(
                    service
                        .describe(service.resolve(FeedRequest.parse(action.getBody())))
                        .toString());
            case "checkpoint.put" -> putCheckpoint(action.getBody());
            default -> throw FeedErrors.unknownAction(action.getType(), ACTIONS.keySet());
          };
      listener.onNext(new Result(answer));
      listener.onCompleted();
    } catch (RuntimeException e) {
      LOG.warn("Action {} failed: {}", action.getType(), e.getMessage());
      listener.onError(FeedErrors.toFlight(e));
    }
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    ACTIONS.forEach((name, description) -> listener.onNext(new ActionType(name, description)));
    listener.onCompleted();
  }

  private byte[] putCheckpoint(byte[] body) {
    if (checkpoints == null) {
      throw FeedErrors.noCheckpointRegistry();
    }
    if (body == null || body.length < 4) {
      throw FeedErrors.badRequest("checkpoint.put needs a header length, a JSON header and bytes");
    }
    ByteBuffer buf = ByteBuffer.wrap(body);
    int headerLength = buf.getInt();
    if (headerLength <= 0 || headerLength > body.length - 4) {
      throw FeedErrors.badRequest(
          "checkpoint.put header length " + headerLength + " does not fit the body");
    }
    JsonNode header;
    try {
      header = FeedService.JSON.readTree(new String(body, 4, headerLength, StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw FeedErrors.badRequest("checkpoint.put header is not JSON");
    }
    byte[] content = new byte[body.length - 4 - headerLength];
    System.arraycopy(body, 4 + headerLength, content, 0, content.length);
    Map<String, String> metadata = new LinkedHashMap<>();
    header
        .path("metadata")
        .fields()
        .forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    List<String> lineage = new ArrayList<>();
    header.path("lineage").forEach(l -> lineage.add(l.asText()));
    return bytes(checkpoints.put(header.path("model").asText(null), content, metadata, lineage));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
