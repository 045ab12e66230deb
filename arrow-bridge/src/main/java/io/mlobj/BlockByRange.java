package io.mlobj;

import io.mlobj.arrow.BatchReader;
import io.mlobj.internal.arrow.DamagedPageException;
import io.mlobj.internal.store.ObjectRangeChannel;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/** Reads one block of a shard by ranged reads of its object (see {@link Dataset#readBlock}). */
final class BlockByRange {
  private BlockByRange() {}

  static BatchReader read(
      ObjectStore store,
      long version,
      ScanTask task,
      Schema wanted,
      BufferAllocator allocator,
      Dataset.RangeReadListener listener) {
    Shard shard = task.shard();
    ShardCodec codec = ShardCodecs.of(shard.format());
    if (!codec.readsBlocksByRange()) {
      return null;
    }
    String object = store.uri(shard.path());
    // What the codec keeps of the object (a footer) is found again only for the same content: a
    // dataset dropped and created again at the same URI has other sizes and CRC32Cs.
    String content = object + "#" + shard.bytes() + "#" + shard.crc32cHex();
    try (ObjectRangeChannel channel =
        new ObjectRangeChannel(store, shard.path(), shard.bytes(), listener)) {
      return codec.openBlock(channel, content, wanted, allocator, task.firstBatch());
    } catch (MlobjException e) {
      throw e;
    } catch (DamagedPageException e) {
      throw MlobjErrors.damagedPage(store.root(), version, object, e.rowGroup(), e.column());
    } catch (Exception e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ObjectNotFoundException) {
          throw MlobjErrors.shardMissing(store.root(), version, object);
        }
      }
      throw MlobjErrors.unreadableShard(store.root(), version, object, String.valueOf(e));
    }
  }
}
