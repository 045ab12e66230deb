package io.mlobj;

import java.io.Serializable;

/**
 * Statistics of one column in one shard, used to skip shards a predicate cannot match.
 *
 * @param min smallest non-null value (Long, Double, String or Boolean), or null if unknown
 * @param max largest non-null value, or null if unknown
 * @param nullCount how many values are null
 *     <p>Stable API.
 */
public record ColumnStats(Object min, Object max, long nullCount) implements Serializable {}
