package io.mlobj.internal.arrow;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Parsed footers of recently read Parquet files, found again by the footer's bytes. The trainer
 * feed opens a reader per row group of a shard; parsing the footer each time cost work growing with
 * the shard's row group count (pyarrow-style shards have one per 1,024 rows). Keyed by content
 * (checksum, then an exact comparison), so a different file with the same name or at the same
 * address is never served another's footer. Only unencrypted footers are kept: parquet-mr treats
 * their metadata as read-only, so readers on several threads may share one.
 */
final class ParquetFooters {
  private static final int MAX_ENTRIES = 64;
  private static final int MAX_FOOTER_BYTES = 1 << 20;
  private static final int MAX_TOTAL_BYTES = 16 << 20;

  private static final Map<Key, ParquetMetadata> CACHE = new LinkedHashMap<>(16, 0.75f, true);
  private static long cachedBytes;

  private ParquetFooters() {}

  /** The file's footer: the cached parse of an identical footer, or a new parse (then cached). */
  static ParquetMetadata footer(
      InputFile file, ByteBuffer bytes, ParquetReadOptions options, SeekableInputStream in)
      throws IOException {
    ByteBuffer serialized = serializedFooter(bytes);
    if (serialized == null) {
      return ParquetFileReader.readFooter(file, options, in);
    }
    Key key = new Key(serialized);
    synchronized (CACHE) {
      ParquetMetadata cached = CACHE.get(key);
      if (cached != null) {
        return cached;
      }
    }
    ParquetMetadata parsed = ParquetFileReader.readFooter(file, options, in);
    if (parsed.getFileMetaData().getEncryptionType() == FileMetaData.EncryptionType.UNENCRYPTED) {
      key.keep();
      synchronized (CACHE) {
        if (CACHE.put(key, parsed) == null) {
          cachedBytes += key.size();
        }
        var eldest = CACHE.entrySet().iterator();
        while (CACHE.size() > MAX_ENTRIES || cachedBytes > MAX_TOTAL_BYTES) {
          cachedBytes -= eldest.next().getKey().size();
          eldest.remove();
        }
      }
    }
    return parsed;
  }

  /** The footer's serialized bytes (without length and magic), or null if not a small footer. */
  private static ByteBuffer serializedFooter(ByteBuffer bytes) {
    int length = bytes.remaining();
    if (length < 12) {
      return null;
    }
    int end = bytes.position() + length - 8;
    int footer = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(end);
    if (footer <= 0 || footer > MAX_FOOTER_BYTES || footer > length - 12) {
      return null; // let parquet-mr report it
    }
    return bytes.slice(end - footer, footer);
  }

  /** A footer's bytes: a view while looking up, its own copy once cached. */
  private static final class Key {
    private ByteBuffer bytes;
    private final int hash;

    Key(ByteBuffer bytes) {
      this.bytes = bytes;
      CRC32C crc = new CRC32C();
      crc.update(bytes.duplicate());
      this.hash = (int) crc.getValue() * 31 + bytes.remaining();
    }

    /** Copies the bytes: the cache must not hold on to the whole file they are a view of. */
    void keep() {
      ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
      copy.put(bytes.duplicate()).flip();
      bytes = copy;
    }

    int size() {
      return bytes.remaining();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && k.bytes.equals(bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
