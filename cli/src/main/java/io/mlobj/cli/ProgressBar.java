package io.mlobj.cli;

import io.mlobj.ops.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on stderr with count, byte rate and ETA: {@code verify [###### ] 12/40
 * shards 35.2 MiB/s ETA 4s}. Redraws at most ten times a second; silent when created without a
 * writer.
 */
final class ProgressBar implements Progress {
  private static final int WIDTH = 24;

  private final PrintWriter err;
  private final String what;
  private final String unit;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  ProgressBar(PrintWriter err, String what, String unit) {
    this.err = err;
    this.what = what;
    this.unit = unit;
  }

  @Override
  public synchronized void update(long done, long total, long bytes) {
    if (err == null) {
      return;
    }
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    drawn = true;
    double seconds = Math.max(1e-3, (now - start) / 1e9);
    int filled = total <= 0 ? WIDTH : (int) (WIDTH * done / total);
    String eta =
        done <= 0 || done >= total ? "0s" : formatSeconds((long) (seconds * (total - done) / done));
    err.print(
        String.format(
            Locale.ROOT,
            "\r%s [%s%s] %d/%d %s  %s/s  ETA %s ",
            what,
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            done,
            total,
            unit,
            Output.bytes((long) (bytes / seconds)),
            eta));
    err.flush();
  }

  /** Ends the bar's line, if one was drawn. */
  synchronized void finish() {
    if (err != null && drawn) {
      err.println();
      err.flush();
    }
  }

  private static String formatSeconds(long s) {
    return s >= 3600
        ? (s / 3600) + "h" + (s % 3600 / 60) + "m"
        : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
  }
}
