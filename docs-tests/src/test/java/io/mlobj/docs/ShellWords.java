package io.mlobj.docs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Splits one shell command line into words: quotes, backslash escapes, comments, {@code ~}. */
final class ShellWords {
  private ShellWords() {}

  /**
   * The words of {@code line}; a leading {@code $ } prompt is dropped, {@code #} after a space
   * starts a comment, and a word starting with {@code ~/} is taken relative to {@code home}.
   */
  static List<String> split(String line, Path home) {
    String text = line.strip();
    if (text.startsWith("$ ")) {
      text = text.substring(2);
    }
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < text.length()) {
          word.append(text.charAt(++i));
        } else {
          word.append(c);
        }
        continue;
      }
      if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
        continue;
      }
      if (c == '#' && word == null) {
        break;
      }
      if (word == null) {
        word = new StringBuilder();
        if (c == '~' && (i + 1 == text.length() || text.charAt(i + 1) == '/')) {
          word.append(home);
          continue;
        }
      }
      if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '\\' && i + 1 < text.length()) {
        word.append(text.charAt(++i));
      } else {
        word.append(c);
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException("Unterminated " + quote + " quote in: " + line);
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }
}
