package io.mlobj.docs;

import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The {@code kernel} context: the variables the kernel's examples use. {@code conf}/{@code s3Conf}
 * point at the embedded server; {@code key}/{@code secret} are its credentials; {@code schema} is
 * the example images schema (id, label, split, image tensor) and {@code batch} 8 rows of it; {@code
 * bytes} a small model file; {@code consume(root)} counts rows.
 */
public abstract class KernelContext extends Contexts.Base {
  static final List<String> IMPORTS =
      List.of(
          "io.mlobj.*",
          "io.mlobj.arrow.*",
          "io.mlobj.ops.*",
          "io.mlobj.registry.*",
          "java.util.*",
          "org.apache.arrow.memory.*",
          "org.apache.arrow.vector.*",
          "org.apache.arrow.vector.types.pojo.*");

  protected Map<String, String> conf;
  protected Map<String, String> s3Conf;
  protected String key;
  protected String secret;
  protected Schema schema;
  protected BufferAllocator allocator;
  protected VectorSchemaRoot batch;
  protected byte[] bytes = {1, 2, 3, 4};
  protected long consumed;

  /** Counts the rows of a batch, standing in for the user's processing. */
  protected void consume(VectorSchemaRoot root) {
    consumed += root.getRowCount();
  }

  static Contexts.Context context(DocEnv env) {
    return new Contexts.Context(
        KernelContext.class,
        IMPORTS,
        (base, code) -> {
          KernelContext k = (KernelContext) base;
          k.conf = Contexts.s3(env);
          k.s3Conf = Contexts.s3(env);
          k.key = env.s3.accessKey();
          k.secret = env.s3.secretKey();
          k.schema = DocEnv.IMAGES;
          k.allocator = new RootAllocator();
          k.batch = DocEnv.imagesBatch(k.allocator, 0, 8);
        });
  }

  @Override
  public void close() {
    batch.close();
    allocator.close();
  }
}
