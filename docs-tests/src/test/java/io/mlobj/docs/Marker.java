package io.mlobj.docs;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The harness's instruction for one block, an HTML comment on the line right before the fence
 * (Markdown renderers do not show it):
 *
 * <ul>
 *   <li>{@code <!-- docs-test: skip (REASON) -->}: the block is illustrative (output, a diagram, a
 *       file layout) or is run elsewhere; the reason is required and says which.
 *   <li>{@code <!-- docs-test: context NAME -->}: run the block in the named context (the variables
 *       and state it assumes, declared in {@link Contexts}).
 * </ul>
 *
 * @param skip whether to skip the block
 * @param reason why it is skipped
 * @param context the context to run it in
 */
record Marker(boolean skip, String reason, Optional<String> context) {
  private static final Pattern COMMENT = Pattern.compile("^\\s*<!--\\s*docs-test:(.*?)-->\\s*$");
  private static final Pattern SKIP = Pattern.compile("\\s*skip\\s*\\((.*)\\)\\s*");
  private static final Pattern CONTEXT = Pattern.compile("\\s*context\\s+([a-z][a-z0-9-]*)\\s*");

  /** Whether the line is a {@code docs-test} comment at all (then it must parse). */
  static boolean isMarker(String line) {
    return COMMENT.matcher(line).matches();
  }

  /**
   * Parses a marker line.
   *
   * @throws IllegalArgumentException naming the place and the accepted forms
   */
  static Marker parse(String line, String where) {
    Matcher m = COMMENT.matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException(where + ": not a docs-test marker: " + line);
    }
    String body = m.group(1);
    Matcher skip = SKIP.matcher(body);
    if (skip.matches()) {
      String reason = skip.group(1).trim();
      if (reason.isEmpty()) {
        throw bad(where, line, "a skip needs a reason in parentheses");
      }
      return new Marker(true, reason, Optional.empty());
    }
    Matcher context = CONTEXT.matcher(body);
    if (context.matches()) {
      return new Marker(false, "", Optional.of(context.group(1)));
    }
    throw bad(where, line, "unknown instruction");
  }

  private static IllegalArgumentException bad(String where, String line, String reason) {
    return new IllegalArgumentException(
        "Cannot read the docs-test marker at "
            + where
            + " ("
            + line.trim()
            + "): "
            + reason
            + ". Write <!-- docs-test: skip (why) --> or <!-- docs-test: context NAME -->.");
  }
}
