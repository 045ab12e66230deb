package io.mlobj.spark.write;

import io.mlobj.Shard;
import java.util.List;
import org.apache.spark.sql.connector.write.WriterCommitMessage;

/**
 * What a successful write task hands to the driver: the shards it uploaded, not yet visible.
 *
 * @param shards the shards
 */
public record ShardsMessage(List<Shard> shards) implements WriterCommitMessage {}
