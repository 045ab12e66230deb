package io.mlobj.internal.store;

import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStoreException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * Reads of one object from a file system (local or Hadoop), with the failures worded the same way
 * for both: a missing file is {@link ObjectNotFoundException}, any other I/O failure an {@link
 * ObjectStoreException} naming the object.
 */
final class FileReads {
  private FileReads() {}

  /** A read that may throw {@link IOException}. */
  @FunctionalInterface
  interface Read<T> {
    T run() throws IOException;
  }

  /** The result of {@code read} of the object at {@code uri}. */
  static <T> T read(String uri, Read<T> read) {
    try {
      return read.run();
    } catch (NoSuchFileException | FileNotFoundException e) {
      throw new ObjectNotFoundException(uri);
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot read " + uri + ": " + e, e);
    }
  }
}
