package io.mlobj.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a SQL block into statements at the semicolons that end them, as the SQL clients do: a
 * semicolon inside a string ({@code '...'}, with {@code ''} for a quote), a quoted identifier
 * ({@code "..."} or {@code `...`}), a {@code --} line comment or a block comment does not end a
 * statement. Comments stay in the statement's text (the SQL parsers skip them); a piece that holds
 * only comments and blanks (e.g. a comment after the last semicolon) is not a statement.
 */
final class SqlStatements {
  /**
   * One statement.
   *
   * @param text the statement, without the semicolon, stripped
   * @param keyword its first word outside comments, upper case ({@code SELECT}, {@code INSERT})
   * @param line the 0-based line of the block where its first word is
   */
  record Statement(String text, String keyword, int line) {}

  private SqlStatements() {}

  /** The statements of {@code sql}, in order. */
  static List<Statement> split(String sql) {
    List<Statement> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    StringBuilder keyword = new StringBuilder();
    boolean keywordDone = false;
    int line = 0;
    int keywordLine = -1;
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      int end;
      if (c == '-' && sql.startsWith("--", i)) {
        end = sql.indexOf('\n', i);
        end = end < 0 ? sql.length() : end;
      } else if (c == '/' && sql.startsWith("/*", i)) {
        end = sql.indexOf("*/", i + 2);
        end = end < 0 ? sql.length() : end + 2;
      } else if (c == '\'' || c == '"' || c == '`') {
        end = quoted(sql, i);
        keywordDone |= keywordLine >= 0;
      } else if (c == ';') {
        add(out, current, keyword, keywordLine);
        current.setLength(0);
        keyword.setLength(0);
        keywordDone = false;
        keywordLine = -1;
        i++;
        continue;
      } else {
        if (!keywordDone && Character.isLetter(c)) {
          keywordLine = keywordLine < 0 ? line : keywordLine;
          keyword.append(c);
        } else if (keywordLine >= 0) {
          keywordDone = true;
        }
        if (c == '\n') {
          line++;
        }
        current.append(c);
        i++;
        continue;
      }
      String piece = sql.substring(i, end);
      line += (int) piece.chars().filter(ch -> ch == '\n').count();
      current.append(piece);
      i = end;
    }
    add(out, current, keyword, keywordLine);
    return out;
  }

  private static void add(
      List<Statement> out, StringBuilder text, StringBuilder keyword, int keywordLine) {
    if (keywordLine >= 0) {
      out.add(
          new Statement(
              text.toString().strip(), keyword.toString().toUpperCase(Locale.ROOT), keywordLine));
    }
  }

  /** The index after the quoted part starting at {@code start}; a doubled quote is escaped. */
  private static int quoted(String sql, int start) {
    char quote = sql.charAt(start);
    int i = start + 1;
    while (i < sql.length()) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return sql.length();
  }
}
