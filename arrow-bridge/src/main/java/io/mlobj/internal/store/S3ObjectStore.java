package io.mlobj.internal.store;

import io.mlobj.MlobjConf;
import io.mlobj.MlobjException.Kind;
import io.mlobj.store.ObjectInfo;
import io.mlobj.store.ObjectNotFoundException;
import io.mlobj.store.ObjectStore;
import io.mlobj.store.ObjectStoreException;
import io.mlobj.store.PreconditionFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} on S3 through the AWS SDK v2, configured by the same {@code fs.s3a.*} keys as
 * Hadoop's s3a. It talks to S3 directly rather than through s3a because s3a measured 2-3x slower
 * here on both reads and writes (see docs/PERFORMANCE.md): whole-object reads use parallel ranged
 * GETs, large writes parallel multipart uploads, and create-if-absent is {@code If-None-Match: *}.
 */
public final class S3ObjectStore implements ObjectStore {
  private final String root;
  private final String bucket;
  private final String prefix;
  private final S3Clients.Lease lease;
  private final S3Client client;
  private final S3Settings settings;
  private final ExecutorService parts;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final int partSize;
  private final int parallelism;

  public S3ObjectStore(String root, String bucket, String prefix, MlobjConf conf) {
    this.root = root;
    this.bucket = bucket;
    this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
    this.lease = S3Clients.acquire(bucket, conf);
    this.client = lease.client;
    this.settings = S3Clients.settings(bucket, conf);
    this.partSize = (int) Math.min(conf.getBytes(MlobjConf.IO_PART_SIZE, 8L << 20), 1L << 30);
    this.parallelism = Math.max(1, conf.getInt(MlobjConf.IO_PARALLELISM, 8));
    this.parts = lease.parts;
  }

  @Override
  public String root() {
    return root;
  }

  /** The SDK HTTP client this store's requests go through ({@code mlobj.s3.http-client}). */
  public S3HttpClients.Kind httpClient() {
    return lease.httpClient;
  }

  /** The bucket this store reads and writes. */
  public String bucket() {
    return bucket;
  }

  private String fullKey(String key) {
    return prefix + key;
  }

  @Override
  public byte[] read(String key) {
    // The SDK retries failed requests, but not a body cut off after the response began (a reset
    // or a premature end of a Content-Length body): read the object again, up to fs.s3a.retry.limit
    // times. Objects are immutable, so a re-read returns the same bytes.
    for (int attempt = 1; ; attempt++) {
      try {
        return readOnce(key);
      } catch (ObjectStoreException e) {
        if (attempt > settings.bodyRereads() || !(e.getCause() instanceof IOException)) {
          throw e;
        }
      }
    }
  }

  /**
   * One read of a whole object: a ranged GET of its first part, whose headers give the object's
   * size; the other parts start on parallel connections as soon as those headers arrive, while the
   * first part's body is read. Every body is read straight into the one array returned (no
   * intermediate buffers or copies).
   */
  private byte[] readOnce(String key) {
    String full = fullKey(key);
    byte[] all;
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    try (ResponseInputStream<GetObjectResponse> in =
        client.getObject(
            GetObjectRequest.builder()
                .bucket(bucket)
                .key(full)
                .range("bytes=0-" + (partSize - 1))
                .build())) {
      GetObjectResponse first = in.response();
      Long length = first.contentLength();
      if (length == null || length < 0) {
        byte[] head = in.readAllBytes();
        long total = totalSize(first.contentRange(), head.length);
        return total <= head.length ? head : readRest(key, total, head);
      }
      long total = totalSize(first.contentRange(), length);
      all = allocate(key, total);
      readPartsAfter(key, length, all, pending);
      readFully(key, in, all, 0, length.intValue());
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        return new byte[0]; // ranged GET of an empty object
      }
      throw translate("read", key, e);
    } catch (SdkException | IOException e) {
      pending.forEach(f -> f.cancel(false));
      throw translate("read", key, e);
    } catch (RuntimeException e) {
      pending.forEach(f -> f.cancel(false));
      throw e;
    }
    join(pending, "read", key);
    return all;
  }

  /** The rare path of a first response without a length: the other parts read after it. */
  private byte[] readRest(String key, long total, byte[] head) {
    byte[] all = allocate(key, total);
    System.arraycopy(head, 0, all, 0, head.length);
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    readPartsAfter(key, head.length, all, pending);
    join(pending, "read", key);
    return all;
  }

  /**
   * Starts ranged GETs of the object's bytes from {@code from} on, each into its place in {@code
   * all}, adding each to {@code pending} as it starts (so a failure can cancel those started).
   */
  private void readPartsAfter(
      String key, long from, byte[] all, List<CompletableFuture<Void>> pending) {
    for (long offset = from; offset < all.length; offset += partSize) {
      final long start = offset;
      final int part = (int) Math.min(partSize, all.length - offset);
      pending.add(CompletableFuture.runAsync(() -> readInto(key, start, part, all), parts));
    }
  }

  private byte[] allocate(String key, long total) {
    if (total > Integer.MAX_VALUE - 16) {
      throw new ObjectStoreException(
          Kind.INVALID_ARGUMENT,
          "Cannot read " + uri(key) + ": " + total + " bytes is more than one read can hold.",
          null);
    }
    return new byte[(int) total];
  }

  private void readInto(String key, long offset, int length, byte[] target) {
    try (InputStream in = rangeStream(key, offset, length)) {
      readFully(key, in, target, (int) offset, length);
    } catch (IOException e) {
      throw translate("read", key, e);
    }
  }

  /** Reads {@code length} bytes of a body into {@code target} at {@code offset}. */
  private void readFully(String key, InputStream in, byte[] target, int offset, int length)
      throws IOException {
    int done = 0;
    while (done < length) {
      int n = in.read(target, offset + done, length - done);
      if (n < 0) {
        throw new ObjectStoreException(
            Kind.CORRUPT,
            "Cannot read "
                + uri(key)
                + ": the object ended after "
                + (offset + done)
                + " bytes (it changed while being read?). Retry the read.",
            null);
      }
      done += n;
    }
  }

  private InputStream rangeStream(String key, long offset, int length) {
    try {
      return client.getObject(
          GetObjectRequest.builder()
              .bucket(bucket)
              .key(fullKey(key))
              .range("bytes=" + offset + "-" + (offset + length - 1))
              .build());
    } catch (SdkException e) {
      throw translate("read", key, e);
    }
  }

  @Override
  public byte[] readRange(String key, long offset, int length) {
    if (length == 0) {
      return new byte[0];
    }
    try (InputStream in = rangeStream(key, offset, length)) {
      return in.readAllBytes();
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        return new byte[0];
      }
      throw translate("read", key, e);
    } catch (IOException e) {
      throw translate("read", key, e);
    }
  }

  private static long totalSize(String contentRange, long fallback) {
    if (contentRange == null) {
      return fallback;
    }
    int slash = contentRange.lastIndexOf('/');
    if (slash < 0 || contentRange.endsWith("*")) {
      return fallback;
    }
    return Long.parseLong(contentRange.substring(slash + 1).trim());
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    try {
      HeadObjectResponse response = client.headObject(b -> b.bucket(bucket).key(fullKey(key)));
      return Optional.of(
          new ObjectInfo(
              key,
              response.contentLength(),
              response.lastModified().toEpochMilli(),
              response.eTag(),
              response.metadata()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !isNoSuchBucket(e)) {
        return Optional.empty();
      }
      throw translate("inspect", key, e);
    } catch (SdkException e) {
      throw translate("inspect", key, e);
    }
  }

  private static boolean isNoSuchBucket(S3Exception e) {
    return e instanceof NoSuchBucketException
        || (e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode()));
  }

  @Override
  public void put(String key, byte[] data, Map<String, String> userMetadata) {
    if (data.length > Math.max(partSize, 16 << 20)) {
      multipartPut(key, data, userMetadata);
      return;
    }
    try {
      client.putObject(
          PutObjectRequest.builder()
              .bucket(bucket)
              .key(fullKey(key))
              .metadata(userMetadata)
              .build(),
          noCopy(data));
    } catch (SdkException e) {
      throw translate("write", key, e);
    }
  }

  /** A request body over the array without the defensive copy {@code fromBytes} makes. */
  private static RequestBody noCopy(byte[] data) {
    return RequestBody.fromContentProvider(
        () -> new java.io.ByteArrayInputStream(data), data.length, "application/octet-stream");
  }

  private void multipartPut(String key, byte[] data, Map<String, String> userMetadata) {
    String full = fullKey(key);
    CreateMultipartUploadResponse upload;
    try {
      upload = client.createMultipartUpload(b -> b.bucket(bucket).key(full).metadata(userMetadata));
    } catch (SdkException e) {
      throw translate("write", key, e);
    }
    int size = Math.max(partSize, 8 << 20);
    // The tail rides in the last part (which stays under two part sizes) rather than costing a
    // request of its own: a 16.5 MiB shard is 2 parts, not 8 + 8 + 0.5.
    int count = Math.max(1, data.length / size);
    List<CompletableFuture<CompletedPart>> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      final int partNumber = i + 1;
      final int offset = i * size;
      final int length = i == count - 1 ? data.length - offset : size;
      pending.add(
          CompletableFuture.supplyAsync(
              () -> {
                String etag =
                    client
                        .uploadPart(
                            b ->
                                b.bucket(bucket)
                                    .key(full)
                                    .uploadId(upload.uploadId())
                                    .partNumber(partNumber),
                            RequestBody.fromContentProvider(
                                () -> new java.io.ByteArrayInputStream(data, offset, length),
                                length,
                                "application/octet-stream"))
                        .eTag();
                return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
              },
              parts));
    }
    try {
      List<CompletedPart> done = new ArrayList<>();
      for (CompletableFuture<CompletedPart> part : pending) {
        done.add(part.join());
      }
      client.completeMultipartUpload(
          CompleteMultipartUploadRequest.builder()
              .bucket(bucket)
              .key(full)
              .uploadId(upload.uploadId())
              .multipartUpload(CompletedMultipartUpload.builder().parts(done).build())
              .build());
    } catch (CompletionException | SdkException e) {
      try {
        client.abortMultipartUpload(b -> b.bucket(bucket).key(full).uploadId(upload.uploadId()));
      } catch (SdkException ignored) {
        // The upload is invisible either way; a lifecycle rule or vacuum removes the parts.
      }
      Throwable cause = e instanceof CompletionException ? e.getCause() : e;
      throw translate("write", key, cause);
    }
  }

  @Override
  public void putIfAbsent(String key, byte[] data, Map<String, String> userMetadata) {
    try {
      client.putObject(
          PutObjectRequest.builder()
              .bucket(bucket)
              .key(fullKey(key))
              .ifNoneMatch("*")
              .metadata(userMetadata)
              .build(),
          noCopy(data));
    } catch (S3Exception e) {
      // 412: the key exists. 409 ConditionalRequestConflict: a racing conditional write.
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        throw new PreconditionFailedException(uri(key), e);
      }
      throw translate("create", key, e);
    } catch (SdkException e) {
      throw translate("create", key, e);
    }
  }

  @Override
  public void delete(String key) {
    try {
      client.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(fullKey(key)).build());
    } catch (NoSuchKeyException e) {
      // Deleting a missing object is fine.
    } catch (SdkException e) {
      throw translate("delete", key, e);
    }
  }

  @Override
  public List<ObjectInfo> list(String keyPrefix, String startAfter) {
    List<ObjectInfo> result = new ArrayList<>();
    String continuation = null;
    try {
      do {
        ListObjectsV2Request.Builder request =
            ListObjectsV2Request.builder().bucket(bucket).prefix(fullKey(keyPrefix));
        if (continuation != null) {
          request.continuationToken(continuation);
        } else if (startAfter != null) {
          request.startAfter(fullKey(startAfter));
        }
        ListObjectsV2Response page = client.listObjectsV2(request.build());
        for (S3Object object : page.contents()) {
          result.add(
              new ObjectInfo(
                  object.key().substring(prefix.length()),
                  object.size(),
                  object.lastModified().toEpochMilli(),
                  object.eTag(),
                  Map.of()));
        }
        continuation =
            Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (continuation != null);
    } catch (SdkException e) {
      throw translate("list", keyPrefix, e);
    }
    return result;
  }

  private void join(List<CompletableFuture<Void>> pending, String verb, String key) {
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof ObjectStoreException ose) {
        throw ose;
      }
      throw translate(verb, key, e.getCause());
    }
  }

  /** Turns an SDK failure into an error that names the operation, object and a remedy. */
  public ObjectStoreException translate(String verb, String key, Throwable e) {
    if (e instanceof ObjectStoreException ose) {
      return ose;
    }
    String what = "Cannot " + verb + " " + uri(key) + ": ";
    if (e instanceof NoSuchKeyException) {
      return new ObjectNotFoundException(uri(key));
    }
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
      if (isNoSuchBucket(s3)) {
        return new ObjectStoreException(
            Kind.NOT_FOUND,
            what + "bucket '" + bucket + "' does not exist. Create it or fix the URI.",
            e);
      }
      if (s3.statusCode() == 404) {
        return new ObjectNotFoundException(uri(key));
      }
      if (s3.statusCode() == 403 || s3.statusCode() == 401) {
        return new ObjectStoreException(
            Kind.PERMISSION_DENIED,
            what
                + "access denied (HTTP "
                + s3.statusCode()
                + (code.isEmpty() ? "" : ", " + code)
                + "). Check fs.s3a.access.key / fs.s3a.secret.key (or the credentials provider)"
                + " and the bucket policy.",
            e);
      }
      return new ObjectStoreException(
          what + "HTTP " + s3.statusCode() + " " + code + ". " + s3.getMessage(), e);
    }
    String timeout = S3TimeoutMessages.describe(e, settings);
    if (timeout != null) {
      return new ObjectStoreException(what + timeout, e);
    }
    if (e instanceof SdkClientException) {
      return new ObjectStoreException(
          what
              + "cannot reach the S3 endpoint ("
              + e.getMessage()
              + "). Check fs.s3a.endpoint and that the server is running.",
          e);
    }
    return new ObjectStoreException(what + e, e);
  }

  @Override
  public void close() {
    // The client and the part pool are shared by every store of the same settings.
    if (closed.compareAndSet(false, true)) {
      S3Clients.release(lease);
    }
  }
}
