package io.mlobj.spark.write;

import io.mlobj.Shard;
import java.util.List;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a successful write task hands to the driver: the shards it uploaded, not yet visible, and
 * when the task's write began (the driver's commit checks that the shards still exist when the
 * earliest task began longer ago than {@code mlobj.commit.check-shards-after}: a vacuum may have
 * deleted them as uncommitted).
 *
 * @param shards the shards
 * @param writeStartedMillis when the task's writer was created (epoch millis)
 */
public record ShardsMessage(List<Shard> shards, long writeStartedMillis)
    implements WriterCommitMessage {}
