package io.mlobj.feed;

import static io.mlobj.MlobjErrors.cannot;
import static io.mlobj.MlobjException.Kind.INVALID_ARGUMENT;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.MlobjException;
import java.util.Collection;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;

/**
 * The one place the feed words its errors ({@code Cannot <verb> <object>: <reason>. <how to fix>})
 * and maps them to Flight status codes.
 */
public final class FeedErrors {
  private FeedErrors() {}

  public static MlobjException badRequest(String reason) {
    return cannot(
        INVALID_ARGUMENT,
        "serve the feed request: %s. Send a JSON object such as {\"dataset\":"
            + " \"s3a://bucket/ds\", \"batch_size\": 64}; see docs/trainer-feed.md.",
        reason);
  }

  public static MlobjException unknownTransform(String op, Collection<String> known) {
    return cannot(
        INVALID_ARGUMENT,
        "build the preprocessing pipeline: unknown transform '%s'. Known transforms: %s (register"
            + " your own with FeedServer.Builder.transform).",
        op,
        known);
  }

  public static MlobjException badTransform(String op, String column, String reason) {
    return cannot(
        INVALID_ARGUMENT,
        "apply transform '%s' to column '%s': %s. Fix the step in the request's pipeline.",
        op,
        column,
        reason);
  }

  /** A pipeline step that cannot be compiled for a reason of its own (no op, no column, ...). */
  public static MlobjException badStep(JsonNode spec, String reason) {
    return cannot(
        INVALID_ARGUMENT,
        "build the preprocessing pipeline: step %s: %s. Fix the step in the request's pipeline"
            + " (see docs/trainer-feed.md).",
        spec,
        reason);
  }

  /** checkpoint.put on a server started without a registry. */
  public static MlobjException noCheckpointRegistry() {
    return cannot(
        INVALID_ARGUMENT,
        "store the checkpoint: this feed server has no checkpoint registry. Start it with one:"
            + " mlobj serve --registry s3a://bucket/registry (or set mlobj.registry; in Java,"
            + " FeedServer.Builder.checkpointRoot).");
  }

  public static MlobjException takeOutOfRange(String dataset, long index, long rows) {
    return cannot(
        INVALID_ARGUMENT,
        "take sample %d of %s: it has %d samples (indexes 0..%d). Ask for indexes below %d.",
        index,
        dataset,
        rows,
        rows - 1,
        rows);
  }

  public static MlobjException positionOutOfRange(String dataset, long position, long rows) {
    return cannot(
        INVALID_ARGUMENT,
        "resume %s at position %d: the epoch has %d samples. Start the next epoch at position 0.",
        dataset,
        position,
        rows);
  }

  public static MlobjException emptyDataset(String dataset) {
    return cannot(
        INVALID_ARGUMENT,
        "feed %s: no sample matches (empty version or a predicate that matches nothing). Check"
            + " the version and the predicate.",
        dataset);
  }

  public static MlobjException unknownAction(String type, Collection<String> known) {
    return cannot(INVALID_ARGUMENT, "run action '%s': no such action. Actions: %s.", type, known);
  }

  /**
   * A stream whose batches in flight and largest decoded block do not fit the server's memory
   * budget, alone ({@code streams} 0) or beside the running streams (after waiting for them).
   *
   * @param needed the stream's bytes: batches in flight plus its largest block
   * @param reserved bytes held by the running streams and their decoded blocks
   */
  public static MlobjException memoryCapExceeded(
      String dataset, long version, long needed, long reserved, int streams, long budget) {
    String held =
        streams == 0
            ? ""
            : ", of which "
                + mib(reserved)
                + " MiB are held by "
                + streams
                + " running stream(s) that did not end in time";
    return cannot(
        INVALID_ARGUMENT,
        "stream %s at version %d: the stream needs about %s MiB of Arrow memory (its batches in"
            + " flight and its largest decoded block), and the server's Arrow memory budget is %s"
            + " MiB (--memory-cap, less --read-ahead when a local cache is used)%s. Lower"
            + " batch_size, %swrite smaller row groups, or start the server with a larger"
            + " --memory-cap.",
        dataset,
        version,
        mib(needed),
        mib(budget),
        held,
        streams == 0 ? "" : "run fewer streams at once, ");
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
  }

  /** The Flight status for any failure; MlobjException kinds map one to one. */
  public static FlightRuntimeException toFlight(Throwable t) {
    if (t instanceof FlightRuntimeException f) {
      return f;
    }
    Throwable cause = t;
    while (cause.getCause() != null
        && !(cause instanceof MlobjException)
        && (cause instanceof java.util.concurrent.CompletionException
            || cause instanceof java.util.concurrent.ExecutionException)) {
      cause = cause.getCause();
    }
    CallStatus status;
    if (cause instanceof MlobjException e) {
      status =
          switch (e.kind()) {
            case INVALID_ARGUMENT -> CallStatus.INVALID_ARGUMENT;
            case NOT_FOUND -> CallStatus.NOT_FOUND;
            case ALREADY_EXISTS -> CallStatus.ALREADY_EXISTS;
            case PERMISSION_DENIED -> CallStatus.UNAUTHORIZED;
            case CONFLICT, UNKNOWN_STATE, CORRUPT, STORAGE -> CallStatus.INTERNAL;
          };
    } else if (cause instanceof IllegalArgumentException) {
      status = CallStatus.INVALID_ARGUMENT;
    } else {
      status = CallStatus.INTERNAL;
    }
    String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    return status.withDescription(message).withCause(cause).toRuntimeException();
  }
}
