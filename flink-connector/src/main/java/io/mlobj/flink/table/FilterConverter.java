package io.mlobj.flink.table;

import io.mlobj.Predicate;
import io.mlobj.Predicates;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.functions.FunctionDefinition;

/**
 * Translates Flink filter expressions into kernel {@link Predicate}s for shard skipping:
 * comparisons between a column and a literal (numbers, strings, booleans), IS [NOT] NULL, AND, OR
 * and NOT. Anything else is not translated (Flink still evaluates every filter on rows).
 */
final class FilterConverter {
  private FilterConverter() {}

  static Optional<Predicate> convert(ResolvedExpression expression) {
    if (!(expression instanceof CallExpression call)) {
      return Optional.empty();
    }
    FunctionDefinition fn = call.getFunctionDefinition();
    List<ResolvedExpression> args = call.getResolvedChildren();
    if (fn == BuiltInFunctionDefinitions.AND || fn == BuiltInFunctionDefinitions.OR) {
      List<Predicate> parts = new ArrayList<>();
      for (ResolvedExpression arg : args) {
        Optional<Predicate> part = convert(arg);
        if (part.isEmpty()) {
          return Optional.empty();
        }
        parts.add(part.get());
      }
      Predicate[] array = parts.toArray(new Predicate[0]);
      return Optional.of(
          fn == BuiltInFunctionDefinitions.AND ? Predicates.and(array) : Predicates.or(array));
    }
    if (fn == BuiltInFunctionDefinitions.NOT && args.size() == 1) {
      return convert(args.get(0)).map(Predicates::not);
    }
    if ((fn == BuiltInFunctionDefinitions.IS_NULL || fn == BuiltInFunctionDefinitions.IS_NOT_NULL)
        && args.size() == 1
        && args.get(0) instanceof FieldReferenceExpression field) {
      return Optional.of(
          fn == BuiltInFunctionDefinitions.IS_NULL
              ? Predicates.isNull(field.getName())
              : Predicates.notNull(field.getName()));
    }
    if (args.size() != 2) {
      return Optional.empty();
    }
    boolean fieldFirst = args.get(0) instanceof FieldReferenceExpression;
    if (!(fieldFirst ? args.get(1) : args.get(0)).getClass().equals(ValueLiteralExpression.class)
        || !((fieldFirst ? args.get(0) : args.get(1)) instanceof FieldReferenceExpression)) {
      return Optional.empty();
    }
    String column = ((FieldReferenceExpression) (fieldFirst ? args.get(0) : args.get(1))).getName();
    Optional<Object> value =
        literal((ValueLiteralExpression) (fieldFirst ? args.get(1) : args.get(0)));
    if (value.isEmpty()) {
      return Optional.empty();
    }
    Object v = value.get();
    if (fn == BuiltInFunctionDefinitions.EQUALS) {
      return Optional.of(Predicates.eq(column, v));
    }
    if (fn == BuiltInFunctionDefinitions.NOT_EQUALS) {
      return Optional.of(Predicates.ne(column, v));
    }
    if (fn == BuiltInFunctionDefinitions.LESS_THAN) {
      return Optional.of(fieldFirst ? Predicates.lt(column, v) : Predicates.gt(column, v));
    }
    if (fn == BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL) {
      return Optional.of(fieldFirst ? Predicates.le(column, v) : Predicates.ge(column, v));
    }
    if (fn == BuiltInFunctionDefinitions.GREATER_THAN) {
      return Optional.of(fieldFirst ? Predicates.gt(column, v) : Predicates.lt(column, v));
    }
    if (fn == BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL) {
      return Optional.of(fieldFirst ? Predicates.ge(column, v) : Predicates.le(column, v));
    }
    return Optional.empty();
  }

  private static Optional<Object> literal(ValueLiteralExpression literal) {
    if (literal.isNull()) {
      return Optional.empty();
    }
    switch (literal.getOutputDataType().getLogicalType().getTypeRoot()) {
      case TINYINT:
      case SMALLINT:
      case INTEGER:
      case BIGINT:
        return literal.getValueAs(Number.class).map(n -> (Object) n.longValue());
      case FLOAT:
      case DOUBLE:
        return literal.getValueAs(Number.class).map(n -> (Object) n.doubleValue());
      case DECIMAL:
        return literal.getValueAs(BigDecimal.class).map(d -> (Object) d.doubleValue());
      case CHAR:
      case VARCHAR:
        return literal.getValueAs(String.class).map(s -> (Object) s);
      case BOOLEAN:
        return literal.getValueAs(Boolean.class).map(b -> (Object) b);
      default:
        return Optional.empty();
    }
  }
}
