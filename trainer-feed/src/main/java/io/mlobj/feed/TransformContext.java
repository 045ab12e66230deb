package io.mlobj.feed;

import io.mlobj.feed.plan.SamplePlan;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What a {@link Transform} knows about the batch it processes.
 *
 * @param allocator where new vectors are allocated
 * @param seed the request's seed
 * @param epoch the epoch
 * @param step identifies the step by its op, column and occurrence in the pipeline (stable when
 *     other steps are deferred to the client or fused)
 * @param samples global index of each row of the batch
 */
public record TransformContext(
    BufferAllocator allocator, long seed, long epoch, int step, long[] samples) {

  /**
   * A random source for one row that depends only on (seed, epoch, sample, step): the same sample
   * gets the same augmentation in an epoch whatever rank, worker or batch it lands in.
   */
  public SplittableRandom random(int row) {
    return new SplittableRandom(SamplePlan.mix(seed, epoch, samples[row], step));
  }
}
