package io.mlobj.registry;

/**
 * One step in the history of a model alias (e.g. {@code serving}). The history is append-only; the
 * last entry is the alias's current target.
 *
 * @param alias alias name
 * @param sequence position in the alias history, 1, 2, ...
 * @param version the checkpoint version the alias points to after this step
 * @param action {@code set} or {@code rollback}
 * @param setMillis when the step was recorded
 * @param user who recorded it
 *     <p>Stable API.
 */
public record AliasEntry(
    String alias, long sequence, long version, String action, long setMillis, String user) {
  /** Action of an explicit assignment. */
  public static final String SET = "set";

  /** Action of a rollback to the previous target. */
  public static final String ROLLBACK = "rollback";
}
