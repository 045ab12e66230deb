package io.mlobj.internal.format;

import io.mlobj.MlobjErrors;
import io.mlobj.UnreadableFileException;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the version log of one dataset. Version files and manifests are immutable, so they are
 * cached once read. Finding the latest version reads the {@code _latest.json} hint and probes
 * forward one version at a time; it lists the log only when neither the hint nor this log knows a
 * version that exists.
 *
 * <p>The log is contiguous (version {@code N+1} is only ever written once {@code N} exists) and
 * version files are never deleted, so the newest version this log has seen is a lower bound of the
 * latest one ({@link #knownLatest}): a committer builds on it directly and lets its conditional
 * write tell it when another writer got there first.
 */
public final class VersionLog {
  /**
   * Version records kept: enough for any commit loop, bounded so that walking 10k versions (vacuum,
   * history) does not hold them all.
   */
  private static final int VERSION_CACHE_ENTRIES = 1024;

  private static final int MANIFEST_CACHE_ENTRIES = 512;

  /** Shards the manifest cache holds at most (a few hundred bytes of heap each). */
  private static final long MANIFEST_CACHE_SHARDS = 262_144;

  private final ObjectStore store;
  private final Map<Long, VersionRecord> versions =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, VersionRecord> eldest) {
              return size() > VERSION_CACHE_ENTRIES;
            }
          });
  private final ManifestCache manifests =
      new ManifestCache(MANIFEST_CACHE_ENTRIES, MANIFEST_CACHE_SHARDS);

  /** The newest version this log has seen exist (read, probed or committed); 0 if none. */
  private final AtomicLong known = new AtomicLong();

  /** The newest version the latest hint is known to name (read or written here); -1 if none. */
  private final AtomicLong hinted = new AtomicLong(-1);

  public VersionLog(ObjectStore store) {
    this.store = store;
  }

  /** The store this log lives in. */
  public ObjectStore store() {
    return store;
  }

  /** The latest committed version, or 0 if the dataset has none. */
  public long latestVersion() {
    long hint;
    try {
      hint = FormatCodec.readLatestHint(store.read(LogLayout.LATEST_HINT));
    } catch (ObjectNotFoundException e) {
      hint = -1;
    }
    // Existence, not content, decides the latest version: a damaged newest file must not hide
    // the versions before it (see "Damaged version files" in docs/FORMAT.md).
    long seen = known.get();
    long from = Math.max(hint, seen);
    long v;
    if (from > 0 && probe(from + 1).isPresent()) {
      // The log is contiguous: from + 1 existing proves that from exists. Commits leave the hint
      // naming the version they built on, one behind, so this is the usual case.
      v = probeForward(from + 1);
    } else if (from > 0 && (from == seen || probe(from).isPresent())) {
      v = from;
    } else {
      v = probeForward(Math.max(listLatest(), seen));
    }
    if (hint > 0 && hint <= v) {
      // Only a hint naming a version that exists counts: the next commit overwrites a bad one.
      hinted.accumulateAndGet(hint, Math::max);
    }
    return v;
  }

  /** The last version of the run of existing versions that starts at {@code existing}. */
  private long probeForward(long existing) {
    long v = existing;
    while (probe(v + 1).isPresent()) {
      v++;
    }
    return v;
  }

  /**
   * The newest version this log has seen exist, without any request: a lower bound of the latest
   * version (0 when it has seen none).
   */
  public long knownLatest() {
    return known.get();
  }

  private long listLatest() {
    long latest = 0;
    for (ObjectInfo info : store.list(LogLayout.VERSIONS, null)) {
      latest = Math.max(latest, LogLayout.versionOf(info.key()));
    }
    return latest;
  }

  /** All version numbers present in the log, ascending (lists the log). */
  public List<Long> listVersions() {
    return store.list(LogLayout.VERSIONS, null).stream()
        .map(info -> LogLayout.versionOf(info.key()))
        .filter(v -> v > 0)
        .sorted()
        .toList();
  }

  /**
   * The version record, if that version exists.
   *
   * @throws io.mlobj.MlobjException (kind CORRUPT) when the version file exists but cannot be read
   */
  public Optional<VersionRecord> find(long version) {
    return probe(version).map(VersionFile::recordOrThrow);
  }

  /**
   * The version file, if it exists, read or marked damaged: never throws for a damaged or
   * unknown-format file (storage failures still throw). Intact records are cached; damaged ones are
   * read again next time, in case the file was restored.
   */
  public Optional<VersionFile> probe(long version) {
    if (version <= 0) {
      return Optional.empty();
    }
    VersionRecord cached = versions.get(version);
    if (cached != null) {
      return Optional.of(new VersionFile(version, cached, null));
    }
    String key = LogLayout.versionKey(version);
    byte[] bytes;
    try {
      bytes = store.read(key);
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
    known.accumulateAndGet(version, Math::max);
    VersionRecord record;
    try {
      record = FormatCodec.readVersion(bytes, store.uri(key));
      if (record.version() != version) {
        throw MlobjErrors.malformed(
            store.uri(key), "it claims to be version " + record.version() + ", not " + version);
      }
    } catch (UnreadableFileException e) {
      return Optional.of(
          new VersionFile(version, null, MlobjErrors.damagedVersion(store.root(), version, e)));
    }
    versions.put(version, record);
    return Optional.of(new VersionFile(version, record, null));
  }

  /** The version record; a missing version is an error naming the latest one. */
  public VersionRecord read(long version) {
    return find(version)
        .orElseThrow(() -> MlobjErrors.versionNotFound(store.root(), version, latestVersion()));
  }

  /** Remembers a record this process just committed. */
  public void remember(VersionRecord record) {
    versions.put(record.version(), record);
    known.accumulateAndGet(record.version(), Math::max);
  }

  /** The manifest behind a reference (cached). */
  public ManifestRecord manifest(ManifestRef ref) {
    ManifestRecord cached = manifests.get(ref.path());
    if (cached != null) {
      return cached;
    }
    ManifestRecord record = readManifest(ref);
    manifests.put(ref.path(), record);
    return record;
  }

  /**
   * The shard paths of the manifest behind a reference, read from the store past the cache and
   * without binding the shards: for walks over every manifest of the log (vacuum). The count is
   * checked against the reference, as {@link #manifest} does.
   */
  public List<String> manifestPaths(ManifestRef ref) {
    ManifestRecord cached = manifests.get(ref.path());
    if (cached != null) {
      return cached.shards().stream().map(io.mlobj.Shard::path).toList();
    }
    List<String> paths = FormatCodec.readManifestPaths(manifestBytes(ref), store.uri(ref.path()));
    if (paths.size() != ref.shards()) {
      throw MlobjErrors.malformed(
          store.uri(ref.path()),
          "it lists " + paths.size() + " shards, the version says " + ref.shards());
    }
    return paths;
  }

  private byte[] manifestBytes(ManifestRef ref) {
    try {
      return store.read(ref.path());
    } catch (ObjectNotFoundException e) {
      throw MlobjErrors.malformed(
          store.uri(ref.path()),
          "the manifest is missing although version " + ref.addedVersion() + " references it");
    }
  }

  private ManifestRecord readManifest(ManifestRef ref) {
    ManifestRecord record = FormatCodec.readManifest(manifestBytes(ref), store.uri(ref.path()));
    if (record.shards().size() != ref.shards()) {
      throw MlobjErrors.malformed(
          store.uri(ref.path()),
          "it lists " + record.shards().size() + " shards, the version says " + ref.shards());
    }
    return record;
  }

  /** Writes a manifest (a new, unique key) and remembers it. */
  public void writeManifest(String key, ManifestRecord record) {
    store.put(key, FormatCodec.writeManifest(record), Map.of());
    manifests.put(key, record);
  }

  /** Whether {@link #writeHint} would write {@code version}: the hint may name an older one. */
  public boolean hintBehind(long version) {
    return version > 0 && hinted.get() < version;
  }

  /**
   * Best-effort update of the latest-version hint to {@code version}, which must exist; skipped
   * when the hint is known to name it or a newer one already.
   */
  public void writeHint(long version) {
    if (!hintBehind(version)) {
      return;
    }
    try {
      store.put(LogLayout.LATEST_HINT, FormatCodec.writeLatestHint(version), Map.of());
      hinted.accumulateAndGet(version, Math::max);
    } catch (RuntimeException e) {
      // The hint only speeds up finding the latest version; readers probe forward anyway.
    }
  }
}
