package io.mlobj;

import java.util.Map;

/**
 * A named pointer to a version, with its own key/values (e.g. {@code tested}, {@code golden}).
 *
 * @param name tag name
 * @param version the version it points to
 * @param createdMillis when the tag was set
 * @param user who set it
 * @param properties free-form key/values
 *     <p>Stable API.
 */
public record Tag(
    String name, long version, long createdMillis, String user, Map<String, String> properties) {
  public Tag {
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }
}
