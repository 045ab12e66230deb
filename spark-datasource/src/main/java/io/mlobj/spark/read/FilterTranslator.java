package io.mlobj.spark.read;

import io.mlobj.Predicate;
import io.mlobj.Predicates;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * partition values. Only values the shard statistics hold (numbers, strings, booleans) are
 * translated; anything else stays with Spark.
 */
public final class FilterTranslator {
  private FilterTranslator() {}

  /** The kernel predicate, or empty if the filter cannot be used to skip shards. */
  public static Optional<Predicate> translate(Filter filter) {
    if (filter instanceof EqualTo f && supported(f.value())) {
      return Optional.of(Predicates.eq(f.attribute(), value(f.value())));
    } else if (filter instanceof EqualNullSafe f && f.value() != null && supported(f.value())) {
      return Optional.of(Predicates.eq(f.attribute(), value(f.value())));
    } else if (filter instanceof GreaterThan f && supported(f.value())) {
      return Optional.of(Predicates.gt(f.attribute(), value(f.value())));
    } else if (filter instanceof GreaterThanOrEqual f && supported(f.value())) {
      return Optional.of(Predicates.ge(f.attribute(), value(f.value())));
    } else if (filter instanceof LessThan f && supported(f.value())) {
      return Optional.of(Predicates.lt(f.attribute(), value(f.value())));
    } else if (filter instanceof LessThanOrEqual f && supported(f.value())) {
      return Optional.of(Predicates.le(f.attribute(), value(f.value())));
    } else if (filter instanceof In f) {
      List<Object> values = new ArrayList<>();
      for (Object v : f.values()) {
        if (!supported(v)) {
          return Optional.empty();
        }
        values.add(value(v));
      }
      return Optional.of(Predicates.in(f.attribute(), values.toArray()));
    } else if (filter instanceof IsNull f) {
      return Optional.of(Predicates.isNull(f.attribute()));
    } else if (filter instanceof IsNotNull f) {
      return Optional.of(Predicates.notNull(f.attribute()));
    } else if (filter instanceof And f) {
      Optional<Predicate> left = translate(f.left());
      Optional<Predicate> right = translate(f.right());
      if (left.isPresent() && right.isPresent()) {
        return Optional.of(Predicates.and(left.get(), right.get()));
      }
      // Either side alone is a weaker, still correct, shard filter.
      return left.isPresent() ? left : right;
    } else if (filter instanceof Or f) {
      Optional<Predicate> left = translate(f.left());
      Optional<Predicate> right = translate(f.right());
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

  private static boolean supported(Object value) {
    return value instanceof Number || value instanceof String || value instanceof Boolean;
  }

  private static Object value(Object value) {
    if (value instanceof BigDecimal d) {
      return d.doubleValue();
    }
    return value;
  }
}
