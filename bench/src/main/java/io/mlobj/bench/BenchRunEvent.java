package io.mlobj.bench;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * A JFR event spanning one timed run of a benchmark ({@code BenchSupport.measure}), so that a
 * recording of a whole bench JVM ({@code -XX:StartFlightRecording=...}) can be cut into "ours" and
 * "baseline" windows: the in-process S3 server's threads are shared by both, so only the time
 * window tells which run a server-side sample served. Costs nothing when no recording is on.
 */
@Name("io.mlobj.bench.Run")
@Label("Bench run")
@Category("mlobj")
@Description("One timed run of a benchmark variant")
final class BenchRunEvent extends Event {
  @Label("Variant")
  String variant;
}
