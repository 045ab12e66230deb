package io.mlobj.internal.format;

import io.mlobj.Shard;
import java.util.List;

/**
 * The content of one manifest {@code _mlobj/manifests/<id>.json}: the shards a commit added.
 * Manifests are immutable and shared by every later version that still contains their shards.
 *
 * @param formatVersion format version of this file
 * @param shards the shards
 */
public record ManifestRecord(int formatVersion, List<Shard> shards) {
  public ManifestRecord {
    shards = shards == null ? List.of() : List.copyOf(shards);
  }
}
