package io.mlobj.spark.read;

import io.mlobj.Predicate;
import io.mlobj.Predicates;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.catalyst.util.DateTimeUtils;
import org.apache.spark.sql.sources.And;
import org.apache.spark.sql.sources.EqualNullSafe;
import org.apache.spark.sql.sources.EqualTo;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.sources.GreaterThan;
import org.apache.spark.sql.sources.GreaterThanOrEqual;
import org.apache.spark.sql.sources.In;
import org.apache.spark.sql.sources.IsNotNull;
import org.apache.spark.sql.sources.IsNull;
import org.apache.spark.sql.sources.LessThan;
import org.apache.spark.sql.sources.LessThanOrEqual;
import org.apache.spark.sql.sources.Not;
import org.apache.spark.sql.sources.Or;

/**
 * Translates Spark source filters to kernel {@link Predicate}s, which skip shards by statistics and
 * partition values. Only values the shard statistics hold (numbers, strings, booleans, and with the
 * schema dates and timestamps) are translated; anything else stays with Spark.
 */
public final class FilterTranslator {
  private final Schema schema;
  private final Set<String> partitionColumns;

  private FilterTranslator(Schema schema, Collection<String> partitionColumns) {
    this.schema = schema;
    this.partitionColumns = Set.copyOf(partitionColumns);
  }

  /** The kernel predicate, or empty if the filter cannot be used to skip shards. */
  public static Optional<Predicate> translate(Filter filter) {
    return new FilterTranslator(null, List.of()).apply(filter);
  }

  /**
   * Like {@link #translate(Filter)}, and also dates and timestamps, converted to what the shard
   * statistics and partition values of these columns hold (days, or the column's time unit).
   */
  public static Optional<Predicate> translate(
      Filter filter, Schema schema, Collection<String> partitionColumns) {
    return new FilterTranslator(schema, partitionColumns).apply(filter);
  }

  private Optional<Predicate> apply(Filter filter) {
    if (filter instanceof EqualTo f) {
      return value(f.attribute(), f.value()).map(v -> Predicates.eq(f.attribute(), v));
    } else if (filter instanceof EqualNullSafe f && f.value() != null) {
      return value(f.attribute(), f.value()).map(v -> Predicates.eq(f.attribute(), v));
    } else if (filter instanceof GreaterThan f) {
      return value(f.attribute(), f.value()).map(v -> Predicates.gt(f.attribute(), v));
    } else if (filter instanceof GreaterThanOrEqual f) {
      return value(f.attribute(), f.value()).map(v -> Predicates.ge(f.attribute(), v));
    } else if (filter instanceof LessThan f) {
      return value(f.attribute(), f.value()).map(v -> Predicates.lt(f.attribute(), v));
    } else if (filter instanceof LessThanOrEqual f) {
      return value(f.attribute(), f.value()).map(v -> Predicates.le(f.attribute(), v));
    } else if (filter instanceof In f) {
      List<Object> values = new ArrayList<>();
      for (Object v : f.values()) {
        Optional<Object> converted = value(f.attribute(), v);
        if (converted.isEmpty()) {
          return Optional.empty();
        }
        values.add(converted.get());
      }
      return Optional.of(Predicates.in(f.attribute(), values.toArray()));
    } else if (filter instanceof IsNull f) {
      return Optional.of(Predicates.isNull(f.attribute()));
    } else if (filter instanceof IsNotNull f) {
      return Optional.of(Predicates.notNull(f.attribute()));
    } else if (filter instanceof And f) {
      Optional<Predicate> left = apply(f.left());
      Optional<Predicate> right = apply(f.right());
      if (left.isPresent() && right.isPresent()) {
        return Optional.of(Predicates.and(left.get(), right.get()));
      }
      // Either side alone is a weaker, still correct, shard filter.
      return left.isPresent() ? left : right;
    } else if (filter instanceof Or f) {
      Optional<Predicate> left = apply(f.left());
      Optional<Predicate> right = apply(f.right());
      if (left.isPresent() && right.isPresent()) {
        return Optional.of(Predicates.or(left.get(), right.get()));
      }
    } else if (filter instanceof Not f) {
      // NOT over shard statistics is only safe for exact leaves; keep it to null checks.
      if (f.child() instanceof IsNull n) {
        return Optional.of(Predicates.notNull(n.attribute()));
      }
    }
    return Optional.empty();
  }

  /** The value as the kernel compares it for this column, or empty if it cannot be used. */
  private Optional<Object> value(String column, Object value) {
    if (value instanceof BigDecimal d) {
      return Optional.of(d.doubleValue());
    }
    if (value instanceof Number || value instanceof String || value instanceof Boolean) {
      return Optional.of(value);
    }
    Field field = field(column);
    if (field == null) {
      return Optional.empty();
    }
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Date date && date.getUnit() == DateUnit.DAY) {
      // Statistics and partition values of day dates are days since the epoch.
      if (value instanceof java.sql.Date d) {
        return Optional.of((long) DateTimeUtils.fromJavaDate(d));
      } else if (value instanceof LocalDate d) {
        return Optional.of(d.toEpochDay());
      }
    } else if (type instanceof ArrowType.Timestamp ts) {
      Long micros = null;
      if (ts.getTimezone() != null) {
        if (value instanceof java.sql.Timestamp t) {
          micros = DateTimeUtils.fromJavaTimestamp(t);
        } else if (value instanceof Instant i) {
          micros = DateTimeUtils.instantToMicros(i);
        }
      } else if (value instanceof LocalDateTime t && !partitionColumns.contains(column)) {
        // Partition values of zone-less timestamps are text (LocalDateTime.toString()), not
        // numbers: only statistics can use them.
        micros = DateTimeUtils.localDateTimeToMicros(t);
      }
      if (micros != null) {
        return inUnit(micros, ts.getUnit());
      }
    }
    return Optional.empty();
  }

  /** Microseconds in the column's unit; empty unless exact (a rounded bound could skip rows). */
  private static Optional<Object> inUnit(long micros, TimeUnit unit) {
    try {
      return switch (unit) {
        case MICROSECOND -> Optional.of(micros);
        case NANOSECOND -> Optional.of(Math.multiplyExact(micros, 1000L));
        case MILLISECOND -> micros % 1000 == 0 ? Optional.of(micros / 1000) : Optional.empty();
        case SECOND -> micros % 1_000_000 == 0 ? Optional.of(micros / 1_000_000) : Optional.empty();
      };
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  private Field field(String column) {
    if (schema == null) {
      return null;
    }
    for (Field f : schema.getFields()) {
      if (f.getName().equals(column)) {
        return f;
      }
    }
    return null;
  }
}
