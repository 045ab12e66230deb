package io.mlobj.flink.source.reader;

import java.util.List;

/**
 * The records of one row (or, for a batch deserializer, of one batch), handed from the fetcher
 * thread to the emitter; Flink counts each as one input record.
 *
 * @param records the deserialized records, in order
 * @param rowsEmittedAfter the split's position (rows from its start) once these are emitted
 */
public record RecordBatch<T>(List<T> records, long rowsEmittedAfter) {}
