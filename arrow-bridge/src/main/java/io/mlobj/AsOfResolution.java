package io.mlobj;

import java.util.List;

/**
 * Which version was current at a point in time, as {@link Dataset#resolveAsOf(long)} finds it. A
 * version file that cannot be read has no known commit time, so time travel resolves to the latest
 * <em>intact</em> version committed at or before the time, and lists the damaged versions it passed
 * over that may have been current instead (those between the chosen version and the next intact
 * one).
 *
 * @param snapshot the latest intact version committed at or before the time
 * @param skippedDamaged damaged version files right after {@code snapshot}, oldest first; empty
 *     when the answer is certain
 *     <p>Stable API.
 */
public record AsOfResolution(Snapshot snapshot, List<HistoryEntry> skippedDamaged) {
  public AsOfResolution {
    skippedDamaged = List.copyOf(skippedDamaged);
  }

  /**
   * A one-sentence note on the damaged versions passed over, naming dataset, versions and why, or
   * null when there are none.
   */
  public String note() {
    if (skippedDamaged.isEmpty()) {
      return null;
    }
    StringBuilder damaged = new StringBuilder();
    for (HistoryEntry e : skippedDamaged) {
      damaged.append(damaged.length() > 0 ? ", " : "").append(e.version());
      damaged.append(" (").append(e.damageReason()).append(')');
    }
    String uri = snapshot.dataset().uri();
    return "Passed over damaged "
        + (skippedDamaged.size() == 1 ? "version " : "versions ")
        + damaged
        + " of dataset "
        + uri
        + ": a damaged version file's commit time cannot be read, so reading version "
        + snapshot.version()
        + ", the latest intact version committed by then. Run 'mlobj history "
        + uri
        + "' to see the damage.";
  }
}
