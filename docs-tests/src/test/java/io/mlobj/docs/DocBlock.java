package io.mlobj.docs;

import java.util.Optional;

/**
 * One fenced code block of a Markdown file.
 *
 * @param file the file, relative to the repository root (e.g. {@code docs/cli.md})
 * @param line the 1-based line of the opening fence
 * @param language the info string's first word, lower case; empty when there is none
 * @param code the block's text, without the fences and without the fence's indentation
 * @param marker the {@code <!-- docs-test: ... -->} comment right before the fence, if any
 */
record DocBlock(String file, int line, String language, String code, Optional<Marker> marker) {
  /** Where the block is, as people look it up: {@code docs/cli.md:12 (bash)}. */
  String where() {
    return file + ":" + line + " (" + (language.isEmpty() ? "no language" : language) + ")";
  }

  /** Whether the marker says to skip the block. */
  boolean skipped() {
    return marker.map(Marker::skip).orElse(false);
  }

  /** The context named by the marker ({@code docs-test: context spark}), or the default. */
  String context(String fallback) {
    return marker.flatMap(Marker::context).orElse(fallback);
  }
}
