package io.mlobj.registry;

import java.util.List;

/**
 * What a query found and what it cost.
 *
 * @param hits the matches, checkpoints first, each group in name and version order
 * @param listCalls index prefixes listed
 * @param keysListed index keys those listings returned (the work done, independent of how many
 *     other objects the bucket holds)
 * @param recordsRead records read to check conditions the index cannot answer and to fill hits
 * @param elapsedMillis wall time
 *     <p>Stable API.
 */
public record QueryResult(
    List<QueryHit> hits, long listCalls, long keysListed, long recordsRead, long elapsedMillis) {
  public QueryResult {
    hits = List.copyOf(hits);
  }
}
