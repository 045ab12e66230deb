package io.mlobj.feed.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.mlobj.feed.FeedErrors;

/** Reads a transform step's JSON parameters with clear errors. */
final class Specs {
  private Specs() {}

  static String op(JsonNode spec) {
    return spec.path("op").asText("?");
  }

  static String column(JsonNode spec) {
    return spec.path("column").asText("?");
  }

  static double number(JsonNode spec, String key, double dflt) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw FeedErrors.badTransform(op(spec), column(spec), "'" + key + "' must be a number");
    }
    return v.asDouble();
  }

  static int positiveInt(JsonNode spec, String key) {
    JsonNode v = spec.get(key);
    if (v == null || !v.isIntegralNumber() || v.asInt() <= 0) {
      throw FeedErrors.badTransform(
          op(spec), column(spec), "'" + key + "' must be a positive integer");
    }
    return v.asInt();
  }

  static int[] ints(JsonNode spec, String key, boolean required) {
    JsonNode v = spec.get(key);
    if (v == null || v.isNull()) {
      if (required) {
        throw FeedErrors.badTransform(op(spec), column(spec), "'" + key + "' is missing");
      }
      return null;
    }
    if (!v.isArray() || v.isEmpty()) {
      throw FeedErrors.badTransform(
          op(spec), column(spec), "'" + key + "' must be a non-empty list of integers");
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      if (!v.get(i).isIntegralNumber() || v.get(i).asInt() <= 0) {
        throw FeedErrors.badTransform(
            op(spec), column(spec), "'" + key + "' must hold positive integers, got " + v);
      }
      out[i] = v.get(i).asInt();
    }
    return out;
  }

  static float[] floats(JsonNode spec, String key) {
    JsonNode v = spec.get(key);
    if (v == null || !v.isArray() || v.isEmpty()) {
      throw FeedErrors.badTransform(
          op(spec), column(spec), "'" + key + "' must be a non-empty list of numbers");
    }
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) v.get(i).asDouble();
    }
    return out;
  }
}
