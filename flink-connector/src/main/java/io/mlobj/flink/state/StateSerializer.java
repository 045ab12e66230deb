package io.mlobj.flink.state;

import io.mlobj.MlobjException;
import io.mlobj.Shard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Base of the connector's serializers of checkpointed state (splits, enumerator state,
 * committables): the format version, the one check of a restored version, and the pieces their
 * layouts share (a shard as length-prefixed manifest JSON, a counted list). A subclass writes and
 * reads its own layout. Stability: internal to the connector; the bytes are checkpoint format.
 *
 * @param <T> the state type
 */
public abstract class StateSerializer<T> implements SimpleVersionedSerializer<T> {
  /** The version written by serializers whose layout never changed. */
  public static final int VERSION = 1;

  /** Writes one element of a list. */
  @FunctionalInterface
  public interface ElementWriter<E> {
    /** Writes {@code element} to {@code out}. */
    void write(E element, DataOutputSerializer out) throws IOException;
  }

  /** Reads one element of a list. */
  @FunctionalInterface
  public interface ElementReader<E> {
    /** Reads the next element from {@code in}. */
    E read(DataInputDeserializer in) throws IOException;
  }

  private final String what;
  private final int initialBufferSize;
  private final int version;

  /**
   * A serializer of layout version 1.
   *
   * @param what what is restored, for the error message ("split", "committable")
   * @param initialBufferSize the serialization buffer's first size
   */
  protected StateSerializer(String what, int initialBufferSize) {
    this(what, initialBufferSize, VERSION);
  }

  /**
   * A serializer that writes layout {@code version} and reads every layout from 1 up to it; a
   * subclass reads older layouts in {@link #readFrom(DataInputDeserializer, int)}.
   */
  protected StateSerializer(String what, int initialBufferSize, int version) {
    this.what = what;
    this.initialBufferSize = initialBufferSize;
    this.version = version;
  }

  @Override
  public final int getVersion() {
    return version;
  }

  @Override
  public final byte[] serialize(T value) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(initialBufferSize);
    writeTo(value, out);
    return out.getCopyOfBuffer();
  }

  @Override
  public final T deserialize(int restoredVersion, byte[] bytes) throws IOException {
    checkVersion(what, restoredVersion, version);
    return readFrom(new DataInputDeserializer(bytes), restoredVersion);
  }

  /** Writes the value's current layout, also as part of a larger structure. */
  public abstract void writeTo(T value, DataOutputSerializer out) throws IOException;

  /** Reads a value written by {@link #writeTo}. */
  public abstract T readFrom(DataInputDeserializer in) throws IOException;

  /** Reads a value written in layout {@code version}; the current layout unless overridden. */
  protected T readFrom(DataInputDeserializer in, int version) throws IOException {
    return readFrom(in);
  }

  /** Writes a shard as length-prefixed manifest JSON (the kernel's stable format). */
  protected static void writeShard(Shard shard, DataOutputSerializer out) throws IOException {
    byte[] json = shard.toJson();
    out.writeInt(json.length);
    out.write(json);
  }

  /** Reads a shard written by {@link #writeShard}. */
  protected static Shard readShard(DataInputDeserializer in) throws IOException {
    byte[] json = new byte[in.readInt()];
    in.readFully(json);
    return Shard.fromJson(json);
  }

  /** Writes the list's size, then each element. */
  protected static <E> void writeList(
      List<E> elements, DataOutputSerializer out, ElementWriter<? super E> writer)
      throws IOException {
    out.writeInt(elements.size());
    for (E element : elements) {
      writer.write(element, out);
    }
  }

  /** Reads a list written by {@link #writeList}. */
  protected static <E> List<E> readList(DataInputDeserializer in, ElementReader<E> reader)
      throws IOException {
    int count = in.readInt();
    List<E> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      list.add(reader.read(in));
    }
    return list;
  }

  /** Fails with a clear message for versions this code cannot read. */
  public static void checkVersion(String what, int version) {
    checkVersion(what, version, VERSION);
  }

  private static void checkVersion(String what, int version, int newest) {
    if (version < 1 || version > newest) {
      throw new MlobjException(
          MlobjException.Kind.INVALID_ARGUMENT,
          "Cannot restore the mlobj "
              + what
              + ": serializer version "
              + version
              + " is not supported (supported: "
              + java.util.stream.IntStream.rangeClosed(1, newest).boxed().toList()
              + "). Restore with the connector version that wrote the checkpoint.");
    }
  }
}
