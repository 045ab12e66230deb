package io.mlobj.internal.registry;

import io.mlobj.registry.AliasEntry;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.PreconditionFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The append-only history of model aliases: one {@code <20 digits>.json} step per assignment or
 * rollback, written with put-if-absent so that concurrent writers take distinct steps (a loser
 * re-reads and appends after the winner). The last step is the alias's current target.
 */
public final class AliasLog {
  private static final int MAX_ATTEMPTS = 20;

  private final String uri;
  private final ObjectStore store;
  private final Supplier<String> user;

  public AliasLog(String uri, ObjectStore store, Supplier<String> user) {
    this.uri = uri;
    this.store = store;
    this.user = user;
  }

  /** Appends an assignment of {@code alias} to {@code version}. */
  public AliasEntry set(String model, String alias, long version) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      TreeMap<Long, String> steps = steps(model, alias);
      long sequence = steps.isEmpty() ? 1 : steps.lastKey() + 1;
      AliasEntry entry = tryAppend(model, alias, version, AliasEntry.SET, sequence);
      if (entry != null) {
        return entry;
      }
    }
    throw RegistryErrors.contended("alias '" + alias + "' of model '" + model + "'", MAX_ATTEMPTS);
  }

  /** The current step of an alias, if it was ever set. */
  public Optional<AliasEntry> current(String model, String alias) {
    TreeMap<Long, String> steps = steps(model, alias);
    return steps.isEmpty() ? Optional.empty() : Optional.of(read(steps.lastEntry().getValue()));
  }

  /** Every step of an alias, oldest first. */
  public List<AliasEntry> history(String model, String alias) {
    List<AliasEntry> out = new ArrayList<>();
    for (String key : steps(model, alias).values()) {
      out.add(read(key));
    }
    return out;
  }

  /** The current target version of every alias of a model, by alias name. */
  public Map<String, Long> targets(String model) {
    String prefix = RegistryLayout.model(model) + "aliases/";
    Map<String, String> lastKey = new TreeMap<>();
    for (ObjectInfo info : store.list(prefix, null)) {
      String rest = info.key().substring(prefix.length());
      int slash = rest.indexOf('/');
      String name = slash > 0 ? rest.substring(slash + 1) : "";
      if (name.endsWith(".json") && RegistryLayout.parseNum(name) > 0) {
        lastKey.merge(rest.substring(0, slash), info.key(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
    }
    Map<String, Long> out = new TreeMap<>();
    lastKey.forEach((alias, key) -> out.put(alias, read(key).version()));
    return out;
  }

  /**
   * Appends a rollback to the target before the current one; rollbacks undo assignments in order
   * (after v1, v2, v3, two rollbacks lead to v2 then v1).
   *
   * @return the version the alias now points to
   */
  public long rollback(String model, String alias) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      List<AliasEntry> history = history(model, alias);
      if (history.isEmpty()) {
        throw RegistryErrors.aliasNotFound(uri, model, alias);
      }
      List<Long> stack = new ArrayList<>();
      for (AliasEntry entry : history) {
        if (AliasEntry.ROLLBACK.equals(entry.action())) {
          if (!stack.isEmpty()) {
            stack.remove(stack.size() - 1);
          }
        } else {
          stack.add(entry.version());
        }
      }
      if (stack.size() < 2) {
        throw RegistryErrors.nothingToRollBack(uri, model, alias);
      }
      long target = stack.get(stack.size() - 2);
      long sequence = history.get(history.size() - 1).sequence() + 1;
      if (tryAppend(model, alias, target, AliasEntry.ROLLBACK, sequence) != null) {
        return target;
      }
    }
    throw RegistryErrors.contended("a rollback of alias '" + alias + "'", MAX_ATTEMPTS);
  }

  /** The step written, or null if another writer took this sequence number. */
  private AliasEntry tryAppend(
      String model, String alias, long version, String action, long sequence) {
    AliasEntry entry =
        new AliasEntry(alias, sequence, version, action, System.currentTimeMillis(), user.get());
    try {
      store.putIfAbsent(
          RegistryLayout.aliasKey(model, alias, sequence),
          RegistryCodec.writeAlias(entry),
          Map.of());
      return entry;
    } catch (PreconditionFailedException e) {
      return null; // another writer took this step: re-read and append after it
    }
  }

  private AliasEntry read(String key) {
    return RegistryCodec.readAlias(store.read(key), store.uri(key));
  }

  /**
   * The alias's step keys by sequence. Keys that are not {@code <20 digits>.json} are ignored: some
   * stores (S3Proxy's filesystem backend) briefly list temporary objects of in-flight writes.
   */
  private TreeMap<Long, String> steps(String model, String alias) {
    String prefix = RegistryLayout.aliases(model, alias);
    TreeMap<Long, String> out = new TreeMap<>();
    for (ObjectInfo info : store.list(prefix, null)) {
      String name = info.key().substring(prefix.length());
      long sequence = name.endsWith(".json") ? RegistryLayout.parseNum(name) : -1;
      if (sequence > 0) {
        out.put(sequence, info.key());
      }
    }
    return out;
  }
}
