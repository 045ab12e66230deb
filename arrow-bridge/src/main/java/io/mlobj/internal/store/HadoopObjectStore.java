package io.mlobj.internal.store;

import io.mlobj.MlobjConf;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStoreException;
import io.mlobj.store.PreconditionFailedException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * {@link ObjectStore} on any Hadoop {@code FileSystem} ({@code hdfs://}, {@code abfs://}, ...).
 * Create-if-absent relies on {@code create(path, overwrite=false)}, which is atomic on HDFS; put
 * writes a temporary file and renames it over the target.
 */
public final class HadoopObjectStore implements ObjectStore {
  private final String root;
  private final Path rootPath;
  private final FileSystem fs;

  public HadoopObjectStore(String root, MlobjConf conf) {
    this.root = root;
    this.rootPath = new Path(root);
    Configuration hadoop = new Configuration();
    conf.asMap().forEach(hadoop::set);
    try {
      this.fs = rootPath.getFileSystem(hadoop);
    } catch (IOException e) {
      throw new ObjectStoreException(
          "Cannot open file system of " + root + ": " + e + ". Check the URI scheme.", e);
    }
  }

  @Override
  public String root() {
    return root;
  }

  @Override
  public boolean conditionalWriteIsNative() {
    return "hdfs".equals(rootPath.toUri().getScheme());
  }

  private Path path(String key) {
    return new Path(rootPath, key);
  }

  @Override
  public byte[] read(String key) {
    return FileReads.read(
        uri(key),
        () -> {
          try (FSDataInputStream in = fs.open(path(key))) {
            return in.readAllBytes();
          }
        });
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    return FileReads.read(
        uri(key),
        () -> {
          try (FSDataInputStream in = fs.open(path(key))) {
            long size = fs.getFileStatus(path(key)).getLen();
            byte[] out = new byte[(int) Math.max(0, Math.min(length, size - offset))];
            in.readFully(offset, out);
            return out;
          }
        });
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    try {
      FileStatus status = fs.getFileStatus(path(key));
      return status.isFile()
          ? Optional.of(
              new ObjectInfo(key, status.getLen(), status.getModificationTime(), null, Map.of()))
          : Optional.empty();
    } catch (FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot inspect " + uri(key) + ": " + e, e);
    }
  }

  @Override
  public void put(String key, byte[] data, Map<String, String> userMetadata) {
    Path temp = new Path(path(key).getParent(), "." + UUID.randomUUID() + ".tmp");
    try {
      try (FSDataOutputStream out = fs.create(temp, false)) {
        out.write(data);
      }
      fs.delete(path(key), false);
      if (!fs.rename(temp, path(key))) {
        throw new IOException("rename of " + temp + " failed");
      }
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot write " + uri(key) + ": " + e, e);
    }
  }

  @Override
  public void putIfAbsent(String key, byte[] data, Map<String, String> userMetadata) {
    try (FSDataOutputStream out = fs.create(path(key), false)) {
      out.write(data);
    } catch (FileAlreadyExistsException e) {
      throw new PreconditionFailedException(uri(key), e);
    } catch (IOException e) {
      if (fs instanceof org.apache.hadoop.fs.LocalFileSystem
          || String.valueOf(e.getMessage()).contains("exists")) {
        throw new PreconditionFailedException(uri(key), e);
      }
      throw new ObjectStoreException("Cannot create " + uri(key) + ": " + e, e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      fs.delete(path(key), false);
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot delete " + uri(key) + ": " + e, e);
    }
  }

  @Override
  public List<ObjectInfo> list(String prefix, String startAfter) {
    List<ObjectInfo> result = new ArrayList<>();
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? rootPath : new Path(rootPath, prefix.substring(0, slash));
    String rootString = fs.makeQualified(rootPath).toString();
    try {
      if (!fs.exists(start)) {
        return result;
      }
      RemoteIterator<LocatedFileStatus> files = fs.listFiles(start, true);
      while (files.hasNext()) {
        LocatedFileStatus status = files.next();
        String key = status.getPath().toString().substring(rootString.length() + 1);
        if (key.startsWith(prefix) && (startAfter == null || key.compareTo(startAfter) > 0)) {
          result.add(
              new ObjectInfo(key, status.getLen(), status.getModificationTime(), null, Map.of()));
        }
      }
    } catch (IOException e) {
      throw new ObjectStoreException("Cannot list " + uri(prefix) + ": " + e, e);
    }
    result.sort(Comparator.comparing(ObjectInfo::key));
    return result;
  }

  @Override
  public void close() {}
}
