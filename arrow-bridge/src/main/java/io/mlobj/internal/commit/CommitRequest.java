package io.mlobj.internal.commit;

import io.mlobj.Operation;
import io.mlobj.Predicate;
import io.mlobj.Shard;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Everything one commit wants to do, independent of the version it finally lands on: the committer
 * re-applies it to the latest version after losing a race.
 *
 * @param operation the operation recorded in the summary
 * @param readVersion the version the writer read (conflicts are checked against later versions)
 * @param added shards to add
 * @param removeAll whether every existing shard is removed (full overwrite)
 * @param removeWhere remove existing shards matching this predicate over partition values (null:
 *     none)
 * @param removePaths remove exactly these shards (compaction); a missing one is a conflict
 * @param schema the data's schema (merged into the dataset's), or null to keep the dataset's
 * @param replaceSchema whether {@code schema} replaces the dataset's instead of merging
 * @param partitionColumns partition columns for a new dataset
 * @param setProperties dataset properties to set
 * @param removeProperties dataset properties to remove
 * @param rollbackTo a version whose shards and schema are restored, or -1
 * @param summaryProperties free-form summary key/values (lineage)
 * @param engine engine name and version
 * @param appId engine application id
 * @param user who commits
 * @param appTransactionId for idempotent streaming writes: the writer's id, or null
 * @param appTransactionNumber the writer's monotonically increasing batch/checkpoint number
 * @param create whether the dataset must not exist yet
 */
public record CommitRequest(
    Operation operation,
    long readVersion,
    List<Shard> added,
    boolean removeAll,
    Predicate removeWhere,
    Set<String> removePaths,
    Schema schema,
    boolean replaceSchema,
    List<String> partitionColumns,
    Map<String, String> setProperties,
    Set<String> removeProperties,
    long rollbackTo,
    Map<String, String> summaryProperties,
    String engine,
    String appId,
    String user,
    String appTransactionId,
    long appTransactionNumber,
    boolean create) {}
