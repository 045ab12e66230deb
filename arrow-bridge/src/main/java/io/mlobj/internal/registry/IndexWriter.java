package io.mlobj.internal.registry;

import io.mlobj.Dataset;
import io.mlobj.Lineage;
import io.mlobj.MlobjConf;
import io.mlobj.MlobjException;
import io.mlobj.Snapshot;
import io.mlobj.Tag;
import io.mlobj.registry.Checkpoint;
import io.mlobj.registry.CheckpointRegistry;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStores;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the registry's {@link MetadataIndex} up to date: the entries of stored and tagged
 * checkpoints, and the datasets they were trained on (each registered with a marker holding the
 * last indexed version, so re-indexing a dataset reads only its new versions). Entries are written
 * after the records they describe; {@link CheckpointRegistry#reindex()} repairs what a writer that
 * died in between left out.
 */
public final class IndexWriter {
  private static final Logger LOG = LoggerFactory.getLogger(IndexWriter.class);

  private final ObjectStore store;
  private final MlobjConf conf;
  private final MetadataIndex index;

  public IndexWriter(ObjectStore store, MlobjConf conf, MetadataIndex index) {
    this.store = store;
    this.conf = conf;
    this.index = index;
  }

  /** Indexes a checkpoint, its tags, and registers the datasets of its lineage. */
  public void checkpoint(Checkpoint checkpoint) {
    index.addCheckpoint(checkpoint);
    checkpoint
        .tags()
        .forEach(t -> index.addCheckpointTag(checkpoint.model(), checkpoint.version(), t));
    registerInputs(checkpoint.lineage());
  }

  public void tagged(String model, long version, String tag) {
    index.addCheckpointTag(model, version, tag);
  }

  public void untagged(String model, long version, String tag) {
    index.removeCheckpointTag(model, version, tag);
  }

  /**
   * Registers the datasets a checkpoint was trained on, so that downstream lineage from their own
   * sources reaches it. Best effort: an input in a store these settings cannot read is skipped.
   */
  private void registerInputs(List<String> refs) {
    Set<String> done = new HashSet<>();
    for (String ref : refs) {
      String dataset = (String) Lineage.parse(ref)[0];
      if (done.add(dataset) && indexedVersion(dataset) < (long) Lineage.parse(ref)[1]) {
        try {
          dataset(Dataset.at(dataset, conf));
        } catch (MlobjException e) {
          LOG.debug("Cannot register lineage input {}: {}", dataset, e.getMessage());
        }
      }
    }
  }

  private long indexedVersion(String datasetUri) {
    try {
      return Long.parseLong(
          new String(store.read(RegistryLayout.datasetMarker(datasetUri)), StandardCharsets.UTF_8)
              .trim());
    } catch (ObjectNotFoundException | NumberFormatException e) {
      return 0;
    }
  }

  /** See {@link CheckpointRegistry#indexDataset}. */
  public long dataset(Dataset dataset) {
    long indexed = indexedVersion(dataset.uri());
    long latest = dataset.latestVersion();
    if (latest == 0) {
      return 0; // nothing there (yet): leave it unregistered
    }
    for (long v = indexed + 1; v <= latest; v++) {
      Snapshot snapshot = dataset.version(v);
      index.addDatasetVersion(dataset.uri(), v, snapshot.summary().properties());
    }
    for (Tag tag : dataset.tags()) {
      index.addDatasetTag(dataset.uri(), tag.version(), tag.name());
    }
    store.put(
        RegistryLayout.datasetMarker(dataset.uri()),
        String.valueOf(latest).getBytes(StandardCharsets.UTF_8),
        Map.of());
    return latest - indexed;
  }

  public void datasetTag(String datasetUri, String tag, long version) {
    index.addDatasetTag(ObjectStores.normalize(datasetUri), version, tag);
  }

  /** The datasets registered in the index, sorted. */
  public List<String> datasets() {
    return store.list(RegistryLayout.INDEX_DATASETS, null).stream()
        .map(i -> RegistryLayout.dec(i.key().substring(RegistryLayout.INDEX_DATASETS.length())))
        .sorted()
        .toList();
  }

  /** Re-indexes every registered dataset from its first version. */
  public void reindexDatasets() {
    for (String dataset : datasets()) {
      store.delete(RegistryLayout.datasetMarker(dataset));
      dataset(Dataset.at(dataset, conf));
    }
  }
}
