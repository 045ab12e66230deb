package io.mlobj.feed.internal;

import io.mlobj.MlobjException;
import io.mlobj.feed.FeedErrors;
import io.mlobj.feed.FeedRequest;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.Action;
import org.apache.arrow.flight.ActionType;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PollInfo;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feed's Flight producer: DoGet tickets that {@code take} a few samples go to {@link
 * TakeStream} (only their rows are read); everything else, and takes it leaves, to the {@link
 * FeedProducer}.
 */
public final class TakeRouter implements FlightProducer {
  private static final Logger LOG = LoggerFactory.getLogger(TakeRouter.class);

  private final FeedProducer streams;
  private final FeedService service;
  private final IpcRows rows;
  private final AtomicLong ids = new AtomicLong();

  public TakeRouter(FeedProducer streams, FeedService service) {
    this.streams = streams;
    this.service = service;
    this.rows = new IpcRows(service.work, service.metrics);
  }

  @Override
  public void getStream(CallContext context, Ticket ticket, ServerStreamListener listener) {
    FeedRequest request;
    try {
      request = FeedRequest.parse(ticket.getBytes());
    } catch (RuntimeException e) {
      streams.getStream(context, ticket, listener); // it reports the bad request
      return;
    }
    if (request.take() == null || request.take().length > TakeStream.MAX_SAMPLES) {
      streams.getStream(context, ticket, listener);
      return;
    }
    boolean served;
    try (BufferAllocator allocator =
        service.allocator.newChildAllocator(
            "feed-take-" + ids.incrementAndGet(), 0, Long.MAX_VALUE)) {
      try {
        served = TakeStream.serve(service, rows, request, listener, allocator);
      } finally {
        awaitReleased(allocator);
      }
    } catch (RuntimeException e) {
      service.metrics.streamsFailed.incrementAndGet();
      if (e instanceof MlobjException) {
        LOG.warn("Take failed: {}", e.getMessage());
      } else {
        LOG.error("Take failed unexpectedly", e);
      }
      listener.error(FeedErrors.toFlight(e));
      return;
    }
    if (!served) {
      streams.getStream(context, ticket, listener);
    }
  }

  /** Waits (bounded) until gRPC released the batches it sent (zero-copy writes hold them). */
  private static void awaitReleased(BufferAllocator allocator) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (allocator.getAllocatedMemory() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(100_000);
    }
  }

  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    streams.listFlights(context, criteria, listener);
  }

  @Override
  public FlightInfo getFlightInfo(CallContext context, FlightDescriptor descriptor) {
    return streams.getFlightInfo(context, descriptor);
  }

  @Override
  public PollInfo pollFlightInfo(CallContext context, FlightDescriptor descriptor) {
    return streams.pollFlightInfo(context, descriptor);
  }

  @Override
  public SchemaResult getSchema(CallContext context, FlightDescriptor descriptor) {
    return streams.getSchema(context, descriptor);
  }

  @Override
  public Runnable acceptPut(
      CallContext context, FlightStream flightStream, StreamListener<PutResult> ackStream) {
    return streams.acceptPut(context, flightStream, ackStream);
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    streams.doExchange(context, reader, writer);
  }

  @Override
  public void doAction(CallContext context, Action action, StreamListener<Result> listener) {
    streams.doAction(context, action, listener);
  }

  @Override
  public void listActions(CallContext context, StreamListener<ActionType> listener) {
    streams.listActions(context, listener);
  }
}
