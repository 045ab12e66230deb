package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.PreconditionFailedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Commits refuse stores that ignore create-if-absent, unless the user opts in. */
class ConditionalWriteProbeTest {
  static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("a", new ArrowType.Int(32, true))));

  /** An in-memory store; {@code honoursConditions=false} behaves like an old S3 gateway. */
  static final class MemoryStore implements ObjectStore {
    final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    final boolean honoursConditions;
    final String root;

    MemoryStore(String root, boolean honoursConditions) {
      this.root = root;
      this.honoursConditions = honoursConditions;
    }

    @Override
    public String root() {
      return root;
    }

    @Override
    public byte[] read(String key) {
      byte[] bytes = objects.get(key);
      if (bytes == null) {
        throw new ObjectNotFoundException(uri(key));
      }
      return bytes;
    }

    @Override
    public byte[] readRange(String key, long offset, int length) {
      byte[] all = read(key);
      return java.util.Arrays.copyOfRange(
          all, (int) offset, (int) Math.min(all.length, offset + length));
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
      byte[] bytes = objects.get(key);
      return bytes == null
          ? Optional.empty()
          : Optional.of(new ObjectInfo(key, bytes.length, 0, null, Map.of()));
    }

    @Override
    public void put(String key, byte[] data, Map<String, String> userMetadata) {
      objects.put(key, data);
    }

    @Override
    public void putIfAbsent(String key, byte[] data, Map<String, String> userMetadata) {
      if (honoursConditions) {
        if (objects.putIfAbsent(key, data) != null) {
          throw new PreconditionFailedException(uri(key), null);
        }
      } else {
        objects.put(key, data);
      }
    }

    @Override
    public void delete(String key) {
      objects.remove(key);
    }

    @Override
    public List<ObjectInfo> list(String prefix, String startAfter) {
      List<ObjectInfo> out = new ArrayList<>();
      objects
          .tailMap(prefix)
          .forEach(
              (k, v) -> {
                if (k.startsWith(prefix) && (startAfter == null || k.compareTo(startAfter) > 0)) {
                  out.add(new ObjectInfo(k, v.length, 0, null, Map.of()));
                }
              });
      return out;
    }

    @Override
    public void close() {}
  }

  @Test
  void aStoreThatIgnoresConditionalWritesIsRefusedForCommits() {
    Dataset dataset =
        Dataset.at(new MemoryStore("mem://ignores-conditions/ds", false), MlobjConf.empty());
    assertThatThrownBy(() -> dataset.newAppend().schema(SCHEMA).commit())
        .isInstanceOf(MlobjException.class)
        .hasMessageContaining("ignored a conditional write")
        .hasMessageContaining(MlobjConf.ALLOW_UNSAFE_COMMIT);
    assertThat(dataset.exists()).isFalse();
  }

  @Test
  void theUserMayOptIntoUnsafeCommitsForASingleWriter() {
    Dataset dataset =
        Dataset.at(
            new MemoryStore("mem://ignores-conditions-optin/ds", false),
            MlobjConf.of(Map.of(MlobjConf.ALLOW_UNSAFE_COMMIT, "true")));
    assertThat(dataset.newAppend().schema(SCHEMA).commit().version()).isEqualTo(1);
  }

  @Test
  void aStoreThatHonoursConditionalWritesPassesTheProbe() {
    Dataset dataset = Dataset.at(new MemoryStore("mem://honours/ds", true), MlobjConf.empty());
    assertThat(dataset.newAppend().schema(SCHEMA).commit().version()).isEqualTo(1);
    assertThat(((MemoryStore) dataset.store()).objects.keySet())
        .noneMatch(k -> k.contains("probe"));
  }
}
