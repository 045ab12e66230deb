package io.mlobj.feed;

import io.mlobj.MlobjException;
import io.mlobj.MlobjException.Kind;
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
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot serve the feed request: "
            + reason
            + ". Send a JSON object such as {\"dataset\": \"s3a://bucket/ds\", \"batch_size\":"
            + " 64}; see docs/trainer-feed.md.");
  }

  public static MlobjException unknownTransform(String op, Collection<String> known) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot build the preprocessing pipeline: unknown transform '"
            + op
            + "'. Known transforms: "
            + known
            + " (register your own with FeedServer.Builder.transform).");
  }

  public static MlobjException badTransform(String op, String column, String reason) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot apply transform '"
            + op
            + "' to column '"
            + column
            + "': "
            + reason
            + ". Fix the step in the request's pipeline.");
  }

  /** A pipeline step that cannot be compiled for a reason of its own (no op, no column, ...). */
  public static MlobjException badStep(
      com.fasterxml.jackson.databind.JsonNode spec, String reason) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot build the preprocessing pipeline: step "
            + spec
            + ": "
            + reason
            + ". Fix the step in the request's pipeline (see docs/trainer-feed.md).");
  }

  /** checkpoint.put on a server started without a registry. */
  public static MlobjException noCheckpointRegistry() {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot store the checkpoint: this feed server has no checkpoint registry. Start it with"
            + " one: mlobj serve --registry s3a://bucket/registry (or set mlobj.registry; in"
            + " Java, FeedServer.Builder.checkpointRoot).");
  }

  public static MlobjException takeOutOfRange(String dataset, long index, long rows) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot take sample "
            + index
            + " of "
            + dataset
            + ": it has "
            + rows
            + " samples (indexes 0.."
            + (rows - 1)
            + "). Ask for indexes below "
            + rows
            + ".");
  }

  public static MlobjException positionOutOfRange(String dataset, long position, long rows) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot resume "
            + dataset
            + " at position "
            + position
            + ": the epoch has "
            + rows
            + " samples. Start the next epoch at position 0.");
  }

  public static MlobjException emptyDataset(String dataset) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot feed "
            + dataset
            + ": no sample matches (empty version or a predicate that matches nothing). Check"
            + " the version and the predicate.");
  }

  public static MlobjException unknownAction(String type, Collection<String> known) {
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot run action '" + type + "': no such action. Actions: " + known + ".");
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
    return new MlobjException(
        Kind.INVALID_ARGUMENT,
        "Cannot stream "
            + dataset
            + " at version "
            + version
            + ": the stream needs about "
            + mib(needed)
            + " MiB of Arrow memory (its batches in flight and its largest decoded block), and the"
            + " server's Arrow memory budget is "
            + mib(budget)
            + " MiB (--memory-cap, less --read-ahead when a local cache is used)"
            + held
            + ". Lower batch_size, "
            + (streams == 0 ? "" : "run fewer streams at once, ")
            + "write smaller row groups, or start the server with a larger --memory-cap.");
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
