package io.mlobj.cli;

import io.mlobj.Predicate;
import io.mlobj.Predicates;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses {@code --where} text into a kernel {@link Predicate}: comparisons {@code col = v}, {@code
 * !=}, {@code <}, {@code <=}, {@code >}, {@code >=}, {@code col in (v, ...)}, joined with {@code
 * and}. Values are numbers, {@code true}/{@code false}, or strings in single quotes ({@code ''}
 * inside one is a quote). Anything else is refused with the position and what is supported.
 */
final class WhereParser {
  static final String SUPPORTED =
      "Write comparisons col = v, !=, <, <=, >, >= or col in (v1, v2), joined with 'and';"
          + " strings in single quotes";

  private final String text;
  private int pos;

  private WhereParser(String text) {
    this.text = text;
  }

  /** The predicate {@code text} denotes. */
  static Predicate parse(String text) {
    WhereParser p = new WhereParser(text);
    List<Predicate> parts = new ArrayList<>();
    parts.add(p.comparison());
    while (p.keyword("and")) {
      parts.add(p.comparison());
    }
    p.skipSpace();
    if (p.pos < text.length()) {
      throw p.error("unexpected '" + text.substring(p.pos) + "'");
    }
    return parts.size() == 1 ? parts.get(0) : Predicates.and(parts.toArray(Predicate[]::new));
  }

  private Predicate comparison() {
    String column = identifier();
    if (keyword("in")) {
      expect('(');
      List<Object> values = new ArrayList<>();
      values.add(value());
      while (accept(',')) {
        values.add(value());
      }
      expect(')');
      return Predicates.in(column, values.toArray());
    }
    String op = operator();
    Object value = value();
    return switch (op) {
      case "=" -> Predicates.eq(column, value);
      case "!=", "<>" -> Predicates.ne(column, value);
      case "<" -> Predicates.lt(column, value);
      case "<=" -> Predicates.le(column, value);
      case ">" -> Predicates.gt(column, value);
      default -> Predicates.ge(column, value);
    };
  }

  private String identifier() {
    skipSpace();
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || "_.".indexOf(text.charAt(pos)) >= 0)) {
      pos++;
    }
    if (start == pos || Character.isDigit(text.charAt(start))) {
      pos = start;
      throw error("expected a column name");
    }
    String name = text.substring(start, pos);
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.equals("and") || lower.equals("or") || lower.equals("not")) {
      pos = start;
      throw error("expected a column name, found '" + name + "'");
    }
    return name;
  }

  private String operator() {
    skipSpace();
    for (String op : List.of("<=", ">=", "!=", "<>", "=", "<", ">")) {
      if (text.startsWith(op, pos)) {
        pos += op.length();
        return op;
      }
    }
    throw error("expected an operator (=, !=, <, <=, >, >=, in)");
  }

  private Object value() {
    skipSpace();
    if (pos >= text.length()) {
      throw error("expected a value");
    }
    char c = text.charAt(pos);
    if (c == '\'') {
      StringBuilder s = new StringBuilder();
      int start = pos++;
      while (true) {
        if (pos >= text.length()) {
          pos = start;
          throw error("unterminated string");
        }
        char d = text.charAt(pos++);
        if (d == '\'') {
          if (pos < text.length() && text.charAt(pos) == '\'') {
            s.append('\'');
            pos++;
            continue;
          }
          return s.toString();
        }
        s.append(d);
      }
    }
    int start = pos;
    while (pos < text.length()
        && (Character.isLetterOrDigit(text.charAt(pos)) || "+-.".indexOf(text.charAt(pos)) >= 0)) {
      pos++;
    }
    String word = text.substring(start, pos);
    String lower = word.toLowerCase(Locale.ROOT);
    if (lower.equals("true") || lower.equals("false")) {
      return Boolean.parseBoolean(lower);
    }
    try {
      return Long.parseLong(word);
    } catch (NumberFormatException notLong) {
      try {
        if (!word.isEmpty() && (Character.isDigit(word.charAt(0)) || "+-.".indexOf(c) >= 0)) {
          return Double.parseDouble(word);
        }
      } catch (NumberFormatException notDouble) {
        // falls through to the error below
      }
    }
    pos = start;
    throw error("expected a number, true/false or a 'quoted string'");
  }

  private boolean keyword(String word) {
    skipSpace();
    int end = pos + word.length();
    if (text.regionMatches(true, pos, word, 0, word.length())
        && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end)))) {
      pos = end;
      return true;
    }
    return false;
  }

  private boolean accept(char c) {
    skipSpace();
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!accept(c)) {
      throw error("expected '" + c + "'");
    }
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private CliException error(String reason) {
    return new CliException(
        ExitCodes.USAGE,
        "Cannot parse --where \""
            + text
            + "\": "
            + reason
            + " at character "
            + (pos + 1)
            + ". "
            + SUPPORTED
            + ".");
  }
}
