package io.mlobj.feed;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * One preprocessing step applied on the server to one column of every batch, vectorized over the
 * column's Arrow buffers. Built-in steps are declared in the request's JSON pipeline ({@code {"op":
 * "normalize", "column": "image", ...}}); add your own with {@link
 * FeedServer.Builder#transform(String, Factory)}.
 *
 * <pre>{@code
 * FeedServer.builder().transform("invert", spec -> new Transform() {
 *   public Field outputField(Field input) { return input; }
 *   public FieldVector apply(FieldVector input, TransformContext context) { ...; return input; }
 * });
 * }</pre>
 *
 * <p>Implementations must be deterministic given the context (use {@link
 * TransformContext#random(int)} for randomness), so an epoch can be replayed exactly. One instance
 * serves one request: {@link #outputField} is called once, then {@link #apply} for every batch,
 * possibly from several threads at once (for different batches), so keep {@code apply} free of
 * mutable state.
 */
public interface Transform {
  /**
   * The field this step produces from {@code input}; called once per request before any data is
   * read. Throw an {@link io.mlobj.MlobjException} of kind INVALID_ARGUMENT (see {@link
   * FeedErrors#badTransform}) when the input cannot be handled: the client gets INVALID_ARGUMENT.
   */
  Field outputField(Field input);

  /**
   * Transforms one batch's column. May modify and return {@code input} (the feed owns it), or
   * return a new vector allocated from {@link TransformContext#allocator()}; the feed closes {@code
   * input} if it is not returned.
   */
  FieldVector apply(FieldVector input, TransformContext context);

  /** Creates a step from its JSON declaration (the whole step object, with "op" and "column"). */
  @FunctionalInterface
  interface Factory {
    Transform create(JsonNode spec);
  }
}
