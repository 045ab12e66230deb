package io.mlobj.spark.read;

import io.mlobj.ScanTask;
import org.apache.spark.sql.connector.read.InputPartition;

/**
 * One scan task of one version: a shard or a range of its row groups / record batches.
 *
 * @param version the version the task was planned from
 * @param task the kernel's task
 */
public record MlobjInputPartition(long version, ScanTask task) implements InputPartition {}
