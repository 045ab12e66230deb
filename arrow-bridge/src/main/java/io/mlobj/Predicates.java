package io.mlobj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;

/**
 * Builds {@link Predicate}s.
 *
 * <pre>{@code
 * Predicate p = Predicates.and(Predicates.eq("split", "train"), Predicates.ge("label", 3));
 * }</pre>
 *
 * <p>Comparisons between numbers are numeric whatever their Java types; a null value never matches
 * a comparison (SQL semantics).
 *
 * <p>Stable API.
 */
public final class Predicates {
  private Predicates() {}

  /** Comparison operators. */
  public enum Op {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    final String symbol;

    Op(String symbol) {
      this.symbol = symbol;
    }
  }

  public static Predicate alwaysTrue() {
    return new True();
  }

  public static Predicate eq(String column, Object value) {
    return new Compare(column, Op.EQ, value);
  }

  public static Predicate ne(String column, Object value) {
    return new Compare(column, Op.NE, value);
  }

  public static Predicate lt(String column, Object value) {
    return new Compare(column, Op.LT, value);
  }

  public static Predicate le(String column, Object value) {
    return new Compare(column, Op.LE, value);
  }

  public static Predicate gt(String column, Object value) {
    return new Compare(column, Op.GT, value);
  }

  public static Predicate ge(String column, Object value) {
    return new Compare(column, Op.GE, value);
  }

  public static Predicate in(String column, Object... values) {
    List<Predicate> any = new ArrayList<>();
    for (Object value : values) {
      any.add(eq(column, value));
    }
    return any.isEmpty() ? new Not(alwaysTrue()) : or(any.toArray(Predicate[]::new));
  }

  public static Predicate isNull(String column) {
    return new IsNull(column);
  }

  public static Predicate notNull(String column) {
    return not(isNull(column));
  }

  public static Predicate and(Predicate... parts) {
    return new Junction(List.of(parts), true);
  }

  public static Predicate or(Predicate... parts) {
    return new Junction(List.of(parts), false);
  }

  public static Predicate not(Predicate part) {
    return new Not(part);
  }

  /**
   * Parses the JSON form used by the Flight feed and the CLI: {@code {"op":"eq","column":"c",
   * "value":1}}, ops eq/ne/lt/le/gt/ge/in ({@code "values":[...]}), is_null, not_null, and/or
   * ({@code "args":[...]}), not ({@code "arg":{...}}).
   */
  public static Predicate fromJson(JsonNode node) {
    String op = node.path("op").asText("").toLowerCase(java.util.Locale.ROOT);
    String column = node.path("column").asText(null);
    return switch (op) {
      case "eq", "ne", "lt", "le", "gt", "ge" -> {
        requireColumn(op, column);
        yield new Compare(
            column, Op.valueOf(op.toUpperCase(java.util.Locale.ROOT)), scalar(node.get("value")));
      }
      case "in" -> {
        requireColumn(op, column);
        List<Object> values = new ArrayList<>();
        node.path("values").forEach(v -> values.add(scalar(v)));
        yield in(column, values.toArray());
      }
      case "is_null" -> {
        requireColumn(op, column);
        yield isNull(column);
      }
      case "not_null" -> {
        requireColumn(op, column);
        yield notNull(column);
      }
      case "and", "or" -> {
        List<Predicate> args = new ArrayList<>();
        node.path("args").forEach(a -> args.add(fromJson(a)));
        yield new Junction(args, op.equals("and"));
      }
      case "not" -> not(fromJson(node.path("arg")));
      case "true" -> alwaysTrue();
      default ->
          throw MlobjErrors.badOption(
              "predicate.op",
              op,
              "one of eq, ne, lt, le, gt, ge, in, is_null, not_null, and, or, not");
    };
  }

  private static void requireColumn(String op, String column) {
    if (column == null || column.isBlank()) {
      throw MlobjErrors.badOption(
          "predicate.column", String.valueOf(column), "a column name for '" + op + "'");
    }
  }

  private static Object scalar(JsonNode value) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isIntegralNumber()) {
      return value.asLong();
    }
    if (value.isNumber()) {
      return value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    return value.asText();
  }

  /** Compares two values; numbers numerically, otherwise as strings. Null if incomparable. */
  static Integer compare(Object a, Object b) {
    if (a == null || b == null) {
      return null;
    }
    if (a instanceof Number x && b instanceof Number y) {
      if (isIntegral(x) && isIntegral(y)) {
        return Long.compare(x.longValue(), y.longValue());
      }
      return Double.compare(x.doubleValue(), y.doubleValue());
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    if (a instanceof Number || b instanceof Number) {
      Double x = asDouble(a);
      Double y = asDouble(b);
      if (x != null && y != null) {
        return Double.compare(x, y);
      }
    }
    return a.toString().compareTo(b.toString());
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  private static Double asDouble(Object o) {
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    try {
      return Double.parseDouble(o.toString());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Object valueAt(VectorSchemaRoot batch, String column, int row) {
    FieldVector vector = batch.getVector(column);
    if (vector == null || vector.isNull(row)) {
      return null;
    }
    Object value = vector.getObject(row);
    if (value instanceof Text t) {
      return t.toString();
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Character c) {
      return (long) c;
    }
    if (value instanceof java.time.LocalDateTime || value instanceof java.time.LocalDate) {
      return value.toString();
    }
    return value;
  }

  private record True() implements Predicate {
    @Override
    public boolean mightMatch(Shard shard) {
      return true;
    }

    @Override
    public boolean test(VectorSchemaRoot batch, int row) {
      return true;
    }

    @Override
    public Set<String> columns() {
      return Set.of();
    }

    @Override
    public String toString() {
      return "true";
    }
  }

  private record Compare(String column, Op op, Object value) implements Predicate {
    @Override
    public boolean mightMatch(Shard shard) {
      if (value == null) {
        return false;
      }
      if (shard.partition().containsKey(column)) {
        return matches(shard.partition().get(column));
      }
      ColumnStats stats = shard.stats().get(column);
      if (stats == null) {
        return true;
      }
      if (stats.min() == null || stats.max() == null) {
        // No bounds: all null (then nothing matches) or unknown.
        return !(stats.nullCount() == shard.rows() && shard.rows() > 0);
      }
      Integer vsMin = compare(value, stats.min());
      Integer vsMax = compare(value, stats.max());
      if (vsMin == null || vsMax == null) {
        return true;
      }
      return switch (op) {
        case EQ -> vsMin >= 0 && vsMax <= 0;
        case NE -> !(vsMin == 0 && vsMax == 0);
        case LT -> compare(stats.min(), value) < 0;
        case LE -> compare(stats.min(), value) <= 0;
        case GT -> compare(stats.max(), value) > 0;
        case GE -> compare(stats.max(), value) >= 0;
      };
    }

    private boolean matches(Object actual) {
      Integer c = compare(actual, value);
      if (c == null) {
        return false;
      }
      return switch (op) {
        case EQ -> c == 0;
        case NE -> c != 0;
        case LT -> c < 0;
        case LE -> c <= 0;
        case GT -> c > 0;
        case GE -> c >= 0;
      };
    }

    @Override
    public boolean test(VectorSchemaRoot batch, int row) {
      return matches(valueAt(batch, column, row));
    }

    @Override
    public Set<String> columns() {
      return Set.of(column);
    }

    @Override
    public String toString() {
      return column + " " + op.symbol + " " + (value instanceof String ? "'" + value + "'" : value);
    }
  }

  private record IsNull(String column) implements Predicate {
    @Override
    public boolean mightMatch(Shard shard) {
      if (!shard.partition().isEmpty() && shard.partition().containsKey(column)) {
        return false;
      }
      ColumnStats stats = shard.stats().get(column);
      return stats == null || stats.nullCount() > 0;
    }

    @Override
    public boolean test(VectorSchemaRoot batch, int row) {
      return valueAt(batch, column, row) == null;
    }

    @Override
    public Set<String> columns() {
      return Set.of(column);
    }

    @Override
    public String toString() {
      return column + " IS NULL";
    }
  }

  /** AND ({@code all}) or OR of its parts. */
  private record Junction(List<Predicate> parts, boolean all) implements Predicate {
    @Override
    public boolean mightMatch(Shard shard) {
      return all
          ? parts.stream().allMatch(p -> p.mightMatch(shard))
          : parts.stream().anyMatch(p -> p.mightMatch(shard));
    }

    @Override
    public boolean test(VectorSchemaRoot batch, int row) {
      // AND stops at the first false part, OR at the first true one.
      for (Predicate p : parts) {
        if (p.test(batch, row) != all) {
          return !all;
        }
      }
      return all;
    }

    @Override
    public Set<String> columns() {
      Set<String> columns = new HashSet<>();
      parts.forEach(p -> columns.addAll(p.columns()));
      return columns;
    }

    @Override
    public String toString() {
      String glue = all ? " AND " : " OR ";
      return "(" + String.join(glue, parts.stream().map(Object::toString).toList()) + ")";
    }
  }

  private record Not(Predicate part) implements Predicate {
    @Override
    public boolean mightMatch(Shard shard) {
      // Statistics bound values, not their complement: only skip when the part is always true,
      // which statistics cannot tell in general.
      return true;
    }

    @Override
    public boolean test(VectorSchemaRoot batch, int row) {
      return !part.test(batch, row);
    }

    @Override
    public Set<String> columns() {
      return part.columns();
    }

    @Override
    public String toString() {
      return "NOT " + part;
    }
  }
}
