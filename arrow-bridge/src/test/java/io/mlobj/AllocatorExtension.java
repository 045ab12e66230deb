package io.mlobj;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh Arrow root allocator for each test, closed after the test's own {@code @AfterEach}
 * methods. Closing fails the test when a buffer leaked, so every test that uses it is also a leak
 * test.
 *
 * <pre>{@code
 * @RegisterExtension final AllocatorExtension arrow = new AllocatorExtension();
 * ... dataset.newWriter(schema).build(arrow.allocator()) ...
 * }</pre>
 */
public final class AllocatorExtension implements BeforeEachCallback, AfterEachCallback {
  private BufferAllocator allocator;

  @Override
  public void beforeEach(ExtensionContext context) {
    allocator = new RootAllocator();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    allocator.close();
    allocator = null;
  }

  /** The current test's allocator; only valid while a test runs. */
  public BufferAllocator allocator() {
    if (allocator == null) {
      throw new IllegalStateException(
          "Cannot use the test allocator outside a test: register AllocatorExtension on an"
              + " instance field with @RegisterExtension.");
    }
    return allocator;
  }
}
