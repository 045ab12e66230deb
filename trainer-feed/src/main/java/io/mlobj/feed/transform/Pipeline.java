package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.MlobjErrors;
import io.mlobj.feed.FeedErrors;
import io.mlobj.feed.Transform;
import io.mlobj.feed.TransformContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A request's preprocessing steps, compiled against the input schema: unknown transforms, unknown
 * columns and type mismatches are found before any data is read.
 */
public final class Pipeline {
  /**
   * A compiled step; {@code id} identifies it by op, column and occurrence (not by position), so
   * its random choices stay the same when other steps are deferred to the client or fused.
   */
  private record Step(int column, Transform transform, int id) {}

  private final List<Step> steps;
  private final Schema output;

  private Pipeline(List<Step> steps, Schema output) {
    this.steps = steps;
    this.output = output;
  }

  /** The built-in transforms, by name. */
  public static Map<String, Transform.Factory> builtins() {
    Map<String, Transform.Factory> out = new LinkedHashMap<>();
    out.put("cast", CastTransform::new);
    out.put("normalize", NormalizeTransform::new);
    out.put("reshape", ReshapeTransform::new);
    out.put("label_map", LabelMapTransform::new);
    out.put("one_hot", OneHotTransform::new);
    out.put("random_crop", RandomCropTransform::new);
    out.put("random_flip", RandomFlipTransform::new);
    out.put("pad_truncate", PadTruncateTransform::new);
    return out;
  }

  /** Steps a trainer may run itself ({@code "on": "client"}): they only cast and scale values. */
  public static final List<String> CLIENT_OPS = List.of("cast", "normalize");

  /** Values of a step's {@code "on"} key. */
  public static final List<String> PLACES = List.of("auto", "server", "client");

  /** Compiles the JSON steps against the input schema (errors name no dataset). */
  public static Pipeline compile(
      JsonNode steps, Map<String, Transform.Factory> factories, Schema input) {
    return compile("(no dataset)", steps, factories, input);
  }

  /**
   * Compiles the JSON steps against the input schema. Validates every step, including those the
   * client runs ({@code "on": "client"}, or deferred by the Python client): the client sends its
   * whole pipeline in the {@code plan} call, so its steps follow the same rules and fail with the
   * same messages as steps run here.
   *
   * @param dataset the dataset and version the steps apply to, for error messages
   * @param factories transforms by name (built-ins plus user ones)
   */
  public static Pipeline compile(
      String dataset, JsonNode steps, Map<String, Transform.Factory> factories, Schema input) {
    List<Field> fields = new ArrayList<>(input.getFields());
    List<String> names = fields.stream().map(Field::getName).toList();
    List<Step> out = new ArrayList<>();
    Map<String, Integer> occurrences = new java.util.HashMap<>();
    for (JsonNode spec : steps) {
      if (!spec.isObject()) {
        throw FeedErrors.badRequest("pipeline step " + spec + " is not a JSON object");
      }
      if (!spec.hasNonNull("op")) {
        throw FeedErrors.badStep(spec, "'op' is missing (the transform's name)");
      }
      String op = spec.path("op").asText("");
      Transform.Factory factory = factories.get(op);
      if (factory == null) {
        throw FeedErrors.unknownTransform(op, new TreeMap<>(factories).keySet());
      }
      if (!spec.hasNonNull("column") || !spec.get("column").isTextual()) {
        throw FeedErrors.badStep(spec, "'column' is missing (the name of the column to change)");
      }
      String on = spec.path("on").asText("auto");
      if (!PLACES.contains(on)) {
        throw FeedErrors.badStep(spec, "'on' must be one of " + PLACES + ", got '" + on + "'");
      }
      if (on.equals("client") && !CLIENT_OPS.contains(op)) {
        throw FeedErrors.badStep(
            spec,
            "only "
                + CLIENT_OPS
                + " can run on the client; drop \"on\": \"client\" to run it on the feed"
                + " server");
      }
      String column = spec.get("column").asText();
      int index = names.indexOf(column);
      if (index < 0) {
        throw MlobjErrors.unknownColumn(dataset + " (pipeline step '" + op + "')", column, names);
      }
      Transform transform = factory.create(spec);
      Field before = fields.get(index);
      Field produced = transform.outputField(before);
      fields.set(index, Tensors.renamed(produced, column));
      String key = op + "/" + column;
      int id = (key + "/" + occurrences.merge(key, 1, Integer::sum)).hashCode();
      Step previous = out.isEmpty() ? null : out.get(out.size() - 1);
      if (previous != null
          && previous.column() == index
          && CastNormalizeTransform.fusable(previous.transform(), transform, before)) {
        // cast then normalize of one tensor: one pass instead of two.
        CastNormalizeTransform fused =
            new CastNormalizeTransform(
                (CastTransform) previous.transform(), (NormalizeTransform) transform);
        out.set(out.size() - 1, new Step(index, fused, previous.id()));
      } else {
        out.add(new Step(index, transform, id));
      }
    }
    return new Pipeline(out, new Schema(fields));
  }

  /** The schema of the batches the pipeline produces. */
  public Schema outputSchema() {
    return output;
  }

  /**
   * Runs every step over one batch's columns (in input schema order). Takes ownership of {@code
   * columns} and returns the output columns, which the caller closes.
   */
  public List<FieldVector> apply(
      List<FieldVector> columns, BufferAllocator allocator, long seed, long epoch, long[] samples) {
    List<FieldVector> current = new ArrayList<>(columns);
    try {
      for (int s = 0; s < steps.size(); s++) {
        Step step = steps.get(s);
        FieldVector in = current.get(step.column());
        FieldVector out =
            step.transform()
                .apply(in, new TransformContext(allocator, seed, epoch, step.id(), samples));
        if (out != in) {
          in.close();
          current.set(step.column(), out);
        }
      }
      return current;
    } catch (RuntimeException e) {
      current.forEach(FieldVector::close);
      throw e;
    }
  }
}
