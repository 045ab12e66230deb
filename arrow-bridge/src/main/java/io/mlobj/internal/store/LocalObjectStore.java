package io.mlobj.internal.store;

import io.mlobj.MlobjException.Kind;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStoreException;
import io.mlobj.store.PreconditionFailedException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * {@link ObjectStore} on a local (or NFS) directory. Writes go to a temporary file that is then
 * moved (put) or hard-linked (putIfAbsent) into place, so readers never see a partial object and
 * exactly one racing creator wins. Local files carry no user metadata.
 */
public final class LocalObjectStore implements ObjectStore {
  private final String root;
  private final Path dir;

  public LocalObjectStore(String root, Path dir) {
    this.root = root;
    this.dir = dir;
  }

  @Override
  public String root() {
    return root;
  }

  @Override
  public boolean conditionalWriteIsNative() {
    return true;
  }

  private Path path(String key) {
    return dir.resolve(key);
  }

  @Override
  public byte[] read(String key) {
    return FileReads.read(uri(key), () -> Files.readAllBytes(path(key)));
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    return FileReads.read(
        uri(key),
        () -> {
          try (RandomAccessFile file = new RandomAccessFile(path(key).toFile(), "r")) {
            long available = Math.max(0, file.length() - offset);
            byte[] out = new byte[(int) Math.min(length, available)];
            file.seek(offset);
            file.readFully(out);
            return out;
          }
        });
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path(key), BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        return Optional.empty();
      }
      return Optional.of(
          new ObjectInfo(
              key, attributes.size(), attributes.lastModifiedTime().toMillis(), null, Map.of()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot inspect " + uri(key) + ": " + e, e);
    }
  }

  private Path writeTemp(String key, byte[] data) throws IOException {
    Path target = path(key);
    Files.createDirectories(target.getParent());
    Path temp =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.write(temp, data);
    return temp;
  }

  @Override
  public void put(String key, byte[] data, Map<String, String> userMetadata) {
    try {
      Path temp = writeTemp(key, data);
      Files.move(
          temp, path(key), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot write " + uri(key) + ": " + e, e);
    }
  }

  @Override
  public void putIfAbsent(String key, byte[] data, Map<String, String> userMetadata) {
    Path temp = null;
    try {
      temp = writeTemp(key, data);
      Files.createLink(path(key), temp); // atomic; fails if the target exists
    } catch (FileAlreadyExistsException e) {
      throw new PreconditionFailedException(uri(key), e);
    } catch (UnsupportedOperationException | IOException e) {
      throw new ObjectStoreException(
          Kind.STORAGE,
          "Cannot create " + uri(key) + ": " + e + ". The file system must support hard links.",
          e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // A stray temp file is invisible to readers and removed by vacuum.
        }
      }
    }
  }

  @Override
  public void delete(String key) {
    try {
      Files.deleteIfExists(path(key));
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot delete " + uri(key) + ": " + e, e);
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix, String startAfter) {
    List<ObjectInfo> result = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return result;
    }
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? dir : dir.resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return result;
    }
    try (Stream<Path> files = Files.walk(start)) {
      files
          .filter(Files::isRegularFile)
          .forEach(
              p -> {
                String key = dir.relativize(p).toString().replace('\\', '/');
                String name = p.getFileName().toString();
                if (key.startsWith(prefix)
                    && !(name.startsWith(".") && name.endsWith(".tmp"))
                    && (startAfter == null || key.compareTo(startAfter) > 0)) {
                  try {
                    result.add(
                        new ObjectInfo(
                            key,
                            Files.size(p),
                            Files.getLastModifiedTime(p).toMillis(),
                            null,
                            Map.of()));
                  } catch (IOException e) {
                    // Deleted while listing.
                  }
                }
              });
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot list " + uri(prefix) + ": " + e, e);
    }
    result.sort(Comparator.comparing(ObjectInfo::key));
    return result;
  }

  @Override
  public void close() {}
}
