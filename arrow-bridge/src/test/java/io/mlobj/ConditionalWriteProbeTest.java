package io.mlobj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mlobj.store.InMemoryObjectStore;
import io.mlobj.store.ObjectInfo;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Commits refuse stores that ignore create-if-absent, unless the user opts in. */
class ConditionalWriteProbeTest {
  static final Schema SCHEMA =
      new Schema(List.of(Field.nullable("a", new ArrowType.Int(32, true))));

  @Test
  void aStoreThatIgnoresConditionalWritesIsRefusedForCommits() {
    Dataset dataset =
        Dataset.at(
            InMemoryObjectStore.probed("mem://ignores-conditions/ds", false), MlobjConf.empty());
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
            InMemoryObjectStore.probed("mem://ignores-conditions-optin/ds", false),
            MlobjConf.of(Map.of(MlobjConf.ALLOW_UNSAFE_COMMIT, "true")));
    assertThat(dataset.newAppend().schema(SCHEMA).commit().version()).isEqualTo(1);
  }

  @Test
  void aStoreThatHonoursConditionalWritesPassesTheProbe() {
    InMemoryObjectStore store = InMemoryObjectStore.probed("mem://honours/ds", true);
    Dataset dataset = Dataset.at(store, MlobjConf.empty());
    assertThat(dataset.newAppend().schema(SCHEMA).commit().version()).isEqualTo(1);
    assertThat(store.list("", null))
        .extracting(ObjectInfo::key)
        .noneMatch(k -> k.contains("probe"));
  }
}
