package io.mlobj.internal.registry;

import io.mlobj.Lineage;
import io.mlobj.MlobjErrors;
import io.mlobj.registry.RegistryQuery;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the small query language of {@code mlobj query}, close to how the question is asked:
 *
 * <pre>
 * checkpoints tagged tested trained-on s3a://b/images@v3
 * checkpoints tagged tested that were trained on s3a://b/images at version 3
 * datasets derived-from s3a://b/raw@v2 where owner=vision
 * model resnet loss&lt;0.3 framework=pytorch
 * </pre>
 *
 * <p>Words: {@code checkpoints}/{@code datasets}/{@code all} (what to find), {@code tagged T},
 * {@code trained-on U[@vN]} or {@code trained on U [at version N]} (also {@code derived-from}),
 * {@code model M}, {@code in U} (versions of one dataset), {@code where}/{@code with} before a
 * condition, and conditions {@code key<op>value} with = != &lt; &lt;= &gt; &gt;=. Filler words
 * (that, were, was, which, and, dataset) are ignored.
 */
public final class QueryParser {
  private static final Set<String> FILLER =
      Set.of("that", "were", "was", "which", "and", "the", "where", "with", "dataset");

  private QueryParser() {}

  public static RegistryQuery apply(RegistryQuery query, String expression) {
    List<String> tokens = List.of(expression.trim().split("\\s+"));
    int i = 0;
    while (i < tokens.size()) {
      String token = tokens.get(i);
      String word = token.toLowerCase(Locale.ROOT);
      switch (word) {
        case "" -> i++;
        case "checkpoints", "checkpoint", "models" -> {
          query.checkpoints();
          i++;
        }
        case "datasets", "versions" -> {
          query.datasets();
          i++;
        }
        case "all", "anything" -> i++;
        case "tagged" -> {
          query.tag(arg(tokens, i, token));
          i += 2;
        }
        case "model" -> {
          query.model(arg(tokens, i, token));
          i += 2;
        }
        case "in" -> {
          query.dataset(arg(tokens, i, token));
          i += 2;
        }
        case "trained-on", "derived-from", "trained", "derived" -> {
          int next = i + 1;
          if ((word.equals("trained") || word.equals("derived"))
              && next < tokens.size()
              && List.of("on", "from").contains(tokens.get(next).toLowerCase(Locale.ROOT))) {
            next++;
          }
          while (next < tokens.size()
              && FILLER.contains(tokens.get(next).toLowerCase(Locale.ROOT))) {
            next++;
          }
          if (next >= tokens.size()) {
            throw bad(expression, "'" + token + "' needs a dataset URI");
          }
          Object[] ref = Lineage.parse(tokens.get(next));
          long version = (long) ref[1];
          next++;
          if (next + 2 < tokens.size()
              && tokens.get(next).equalsIgnoreCase("at")
              && tokens.get(next + 1).equalsIgnoreCase("version")) {
            version = number(expression, tokens.get(next + 2));
            next += 3;
          }
          query.trainedOn((String) ref[0], version);
          i = next;
        }
        default -> {
          if (FILLER.contains(word)) {
            i++;
          } else if (token.matches(".*(=|<|>).*")) {
            query.where(token);
            i++;
          } else {
            throw bad(expression, "unknown word '" + token + "'");
          }
        }
      }
    }
    return query;
  }

  private static String arg(List<String> tokens, int i, String word) {
    if (i + 1 >= tokens.size()) {
      throw bad(String.join(" ", tokens), "'" + word + "' needs a value");
    }
    return tokens.get(i + 1);
  }

  private static long number(String expression, String token) {
    try {
      return Long.parseLong(token);
    } catch (NumberFormatException e) {
      throw bad(expression, "'" + token + "' is not a version number");
    }
  }

  private static io.mlobj.MlobjException bad(String expression, String reason) {
    return MlobjErrors.badOption(
        "query",
        expression,
        "a query such as 'checkpoints tagged tested trained-on s3a://b/ds@v3' (" + reason + ")");
  }
}
