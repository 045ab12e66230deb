package io.mlobj.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Extracts the fenced code blocks (CommonMark backtick or tilde fences, optionally indented, as in
 * list items) of Markdown files, with the {@link Marker} right before each.
 */
final class DocBlocks {
  private static final Pattern OPEN = Pattern.compile("^(\\s*)(`{3,}|~{3,})\\s*([^`\\s]*).*$");

  private DocBlocks() {}

  /** README.md and every docs/*.md of the repository at {@code root}, in that order. */
  static List<Path> files(Path root) {
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + root.resolve("docs"), e);
    }
    return files;
  }

  /** The blocks of one file. */
  static List<DocBlock> extract(Path root, Path file) {
    try {
      return parse(root.relativize(file).toString(), Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }

  /** The blocks of Markdown text; {@code name} is how places in it are reported. */
  static List<DocBlock> parse(String name, String markdown) {
    List<String> lines = markdown.lines().toList();
    List<DocBlock> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = OPEN.matcher(lines.get(i));
      if (!open.matches()) {
        continue;
      }
      String indent = open.group(1);
      String fence = open.group(2);
      String language = open.group(3).toLowerCase(Locale.ROOT);
      int start = i;
      StringBuilder code = new StringBuilder();
      i++;
      while (i < lines.size() && !isClose(lines.get(i), fence)) {
        String line = lines.get(i);
        code.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip())
            .append('\n');
        i++;
      }
      if (i == lines.size()) {
        throw new IllegalArgumentException(
            name + ":" + (start + 1) + ": the code block is never closed (" + fence + ")");
      }
      Optional<Marker> marker = Optional.empty();
      if (start > 0 && Marker.isMarker(lines.get(start - 1))) {
        marker = Optional.of(Marker.parse(lines.get(start - 1), name + ":" + start));
      }
      blocks.add(new DocBlock(name, start + 1, language, code.toString(), marker));
    }
    return blocks;
  }

  private static boolean isClose(String line, String fence) {
    String t = line.strip();
    return t.length() >= fence.length()
        && t.chars().allMatch(c -> c == fence.charAt(0))
        && t.startsWith(fence);
  }
}
