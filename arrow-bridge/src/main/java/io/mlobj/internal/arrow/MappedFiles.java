package io.mlobj.internal.arrow;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ForeignAllocation;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Arrow buffers over memory-mapped files, with a deterministic end. The JDK unmaps a mapping only
 * when the garbage collector finds it unreachable, which for long-lived mappings (promoted to the
 * old generation) may be never: a reader mapping shard after shard would pile up mappings, their
 * resident pages and their address-space entries ({@code vm.max_map_count}). Wrapped as an {@link
 * ArrowBuf}, a mapping is unmapped as soon as Arrow's reference count says that the last vector
 * slicing it is gone.
 */
public final class MappedFiles {
  private static final sun.misc.Unsafe UNSAFE = unsafe();

  private MappedFiles() {}

  /**
   * The whole mapping as a buffer of {@code allocator} (counted against its limit), holding one
   * reference. When every reference is released (this one and those of the vectors that slice it)
   * the mapping is unmapped.
   *
   * @param mapping a mapping as {@link java.nio.channels.FileChannel#map} returned it, not a slice
   *     or duplicate, that nothing else will use
   */
  public static ArrowBuf wrapAndUnmapOnRelease(BufferAllocator allocator, ByteBuffer mapping) {
    return allocator.wrapForeignAllocation(new Region(mapping, true));
  }

  /**
   * A direct buffer as a buffer of {@code allocator}, holding one reference; it stays reachable
   * while referenced and is left to the garbage collector afterwards.
   */
  public static ArrowBuf wrap(BufferAllocator allocator, ByteBuffer direct) {
    return allocator.wrapForeignAllocation(new Region(direct, false));
  }

  /**
   * Unmaps a mapping now. Reading it afterwards crashes the JVM: call this only for a mapping no
   * one uses, as {@link java.nio.channels.FileChannel#map} returned it.
   */
  public static void unmap(ByteBuffer mapping) {
    UNSAFE.invokeCleaner(mapping);
  }

  private static final class Region extends ForeignAllocation {
    private ByteBuffer buffer;
    private final boolean unmap;

    Region(ByteBuffer buffer, boolean unmap) {
      super(buffer.capacity(), MemoryUtil.getByteBufferAddress(buffer));
      if (!buffer.isDirect()) {
        throw new IllegalArgumentException("Only direct buffers can back Arrow memory");
      }
      this.buffer = buffer;
      this.unmap = unmap;
    }

    @Override
    protected void release0() {
      if (unmap) {
        unmap(buffer);
      }
      buffer = null;
    }
  }

  private static sun.misc.Unsafe unsafe() {
    try {
      Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      return (sun.misc.Unsafe) field.get(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot reach sun.misc.Unsafe to unmap files", e);
    }
  }
}
