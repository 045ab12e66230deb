package io.mlobj.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mlobj.MlobjErrors;
import io.mlobj.MlobjException;
import io.mlobj.Predicate;
import io.mlobj.Predicates;
import io.mlobj.TimeTravel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a trainer asks the feed for, sent as JSON in the Flight {@code Ticket} (DoGet) or {@code
 * FlightDescriptor} command (GetFlightInfo).
 *
 * <pre>{@code
 * {"dataset": "s3a://training/cifar", "version": 3, "columns": ["image", "label"],
 *  "rank": 0, "world_size": 4, "worker": 1, "num_workers": 2,
 *  "epoch": 7, "seed": 42, "shuffle": true, "shuffle_buffer": 8192,
 *  "batch_size": 256, "drop_last": false, "position": 0,
 *  "pipeline": [{"op": "cast", "column": "image", "to": "float32", "scale": 0.00392156862}]}
 * }</pre>
 *
 * <p>Or, for map-style access, {@code {"dataset": ..., "take": [17, 4, 99]}}: the rows at these
 * global indexes (natural order of the version), in the order given.
 *
 * @param dataset dataset URI
 * @param travel version, tag or timestamp to read (default: latest)
 * @param columns columns to read, null for all
 * @param predicate shard and row filter, null for none
 * @param rank this trainer's rank
 * @param worldSize number of ranks
 * @param worker this DataLoader worker
 * @param numWorkers DataLoader workers per rank
 * @param epoch the epoch (reshuffles)
 * @param seed the job's seed
 * @param shuffle whether to shuffle
 * @param shuffleBuffer shuffle window in samples
 * @param batchSize samples per batch
 * @param dropLast drop the tail that cannot give every consumer a full batch (default: pad by
 *     repeating samples from the start of the epoch)
 * @param position global position to resume from (samples the whole job consumed this epoch)
 * @param pipeline preprocessing steps (JSON array)
 * @param take global indexes for map-style access, null for a stream
 */
public record FeedRequest(
    String dataset,
    TimeTravel travel,
    List<String> columns,
    Predicate predicate,
    int rank,
    int worldSize,
    int worker,
    int numWorkers,
    long epoch,
    long seed,
    boolean shuffle,
    int shuffleBuffer,
    int batchSize,
    boolean dropLast,
    long position,
    ArrayNode pipeline,
    long[] take) {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Every key a request may carry (unknown keys are errors: a typo must not pass silently). */
  public static final Set<String> KEYS =
      new TreeSet<>(
          List.of(
              "dataset",
              "version",
              "tag",
              "timestamp",
              "columns",
              "predicate",
              "rank",
              "world_size",
              "worker",
              "num_workers",
              "epoch",
              "seed",
              "shuffle",
              "shuffle_buffer",
              "batch_size",
              "drop_last",
              "position",
              "pipeline",
              "take"));

  /** Parses and validates request JSON; errors are INVALID_ARGUMENT {@link MlobjException}s. */
  public static FeedRequest parse(byte[] json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (Exception e) {
      throw FeedErrors.badRequest("it is not JSON (" + firstLine(e.getMessage()) + ")");
    }
    if (node == null || !node.isObject()) {
      throw FeedErrors.badRequest("it is not a JSON object");
    }
    node.fieldNames()
        .forEachRemaining(
            k -> {
              if (!KEYS.contains(k)) {
                throw MlobjErrors.unknownOption(k, KEYS);
              }
            });
    String dataset = node.path("dataset").asText("");
    if (dataset.isBlank()) {
      throw FeedErrors.badRequest("'dataset' (a dataset URI) is missing");
    }
    TimeTravel travel = TimeTravel.latest();
    if (node.hasNonNull("version")) {
      travel = TimeTravel.version(positiveLong(node, "version", 1));
    } else if (node.hasNonNull("tag")) {
      travel = TimeTravel.tag(node.get("tag").asText());
    } else if (node.hasNonNull("timestamp")) {
      travel = TimeTravel.timestamp(TimeTravel.parseTimestamp(node.get("timestamp").asText()));
    }
    List<String> columns = null;
    if (node.hasNonNull("columns")) {
      if (!node.get("columns").isArray() || node.get("columns").isEmpty()) {
        throw MlobjErrors.badOption(
            "columns", node.get("columns").toString(), "a non-empty list of names");
      }
      columns = new ArrayList<>();
      for (JsonNode c : node.get("columns")) {
        columns.add(c.asText());
      }
    }
    Predicate predicate = null;
    if (node.hasNonNull("predicate")) {
      predicate = Predicates.fromJson(node.get("predicate"));
    }
    int worldSize = (int) positiveLong(node, "world_size", 1);
    int rank = (int) nonNegativeLong(node, "rank", 0);
    if (rank >= worldSize) {
      throw MlobjErrors.badOption(
          "rank", String.valueOf(rank), "a rank below world_size (" + worldSize + ")");
    }
    int numWorkers = (int) positiveLong(node, "num_workers", 1);
    int worker = (int) nonNegativeLong(node, "worker", 0);
    if (worker >= numWorkers) {
      throw MlobjErrors.badOption(
          "worker", String.valueOf(worker), "a worker below num_workers (" + numWorkers + ")");
    }
    ArrayNode pipeline = JSON.createArrayNode();
    if (node.hasNonNull("pipeline")) {
      if (!node.get("pipeline").isArray()) {
        throw MlobjErrors.badOption(
            "pipeline", node.get("pipeline").toString(), "a JSON array of steps");
      }
      pipeline = (ArrayNode) node.get("pipeline");
    }
    long[] take = null;
    if (node.hasNonNull("take")) {
      JsonNode t = node.get("take");
      if (!t.isArray() || t.isEmpty()) {
        throw MlobjErrors.badOption("take", t.toString(), "a non-empty list of global indexes");
      }
      take = new long[t.size()];
      for (int i = 0; i < take.length; i++) {
        if (!t.get(i).canConvertToLong() || t.get(i).asLong() < 0) {
          throw MlobjErrors.badOption("take", t.get(i).toString(), "indexes >= 0");
        }
        take[i] = t.get(i).asLong();
      }
    }
    return new FeedRequest(
        dataset,
        travel,
        columns,
        predicate,
        rank,
        worldSize,
        worker,
        numWorkers,
        nonNegativeLong(node, "epoch", 0),
        node.path("seed").asLong(0),
        node.path("shuffle").asBoolean(true),
        (int) positiveLong(node, "shuffle_buffer", 8192),
        (int) positiveLong(node, "batch_size", 256),
        node.path("drop_last").asBoolean(false),
        nonNegativeLong(node, "position", 0),
        pipeline,
        take);
  }

  /** Parses request JSON text. */
  public static FeedRequest parse(String json) {
    return parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Number of consumers (rank, worker) sharing an epoch. */
  public int consumers() {
    return worldSize * numWorkers;
  }

  /** A JSON builder for clients and tests. */
  public static ObjectNode json(String dataset) {
    return JSON.createObjectNode().put("dataset", dataset);
  }

  private static long positiveLong(JsonNode node, String key, long dflt) {
    long v = longValue(node, key, dflt);
    if (v <= 0 || v > Integer.MAX_VALUE && !key.equals("version")) {
      throw MlobjErrors.badOption(key, node.get(key).toString(), "a positive integer");
    }
    return v;
  }

  private static long nonNegativeLong(JsonNode node, String key, long dflt) {
    long v = longValue(node, key, dflt);
    if (v < 0) {
      throw MlobjErrors.badOption(key, node.get(key).toString(), "an integer >= 0");
    }
    return v;
  }

  private static long longValue(JsonNode node, String key, long dflt) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
      throw MlobjErrors.badOption(key, v.toString(), "an integer");
    }
    return v.asLong();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no detail";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
