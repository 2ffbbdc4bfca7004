package dev.personalization.bench.load;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** Prints a {@link LoadReport} as a plain-text table, one row per step, then the headline figures. */
public final class ConsoleReport {

  private static final String HEADER = String.format(Locale.ROOT,
      "%-8s %9s %9s %8s %8s %8s %8s %8s %7s %7s %6s %5s %5s %5s %-7s %s",
      "step", "target", "achieved", "p50 ms", "p90 ms", "p99 ms", "p99.9", "max ms", "err %", "degr %", "hit %",
      "cpu%", "heap%", "lag", "verdict", "reasons");

  private ConsoleReport() {
  }

  /** The table header. */
  public static String header() {
    return HEADER;
  }

  /** One row. */
  public static String row(StepResult s) {
    String label = s.attempt() > 1 ? s.label() + "#" + s.attempt() : s.label();
    return String.format(Locale.ROOT, "%-8s %9.0f %9.1f %8s %8s %8s %8s %8s %7.3f %7.2f %6s %5s %5s %5s %-7s %s",
        label, s.targetRps(), s.achievedRps(), ms(s.latency().p50()), ms(s.latency().p90()), ms(s.latency().p99()),
        ms(s.latency().p999()), ms(s.latency().max()), s.errorRate() * 100, s.degradedRate() * 100, pct(s.hitRate()),
        pct(s.resources().cpu()), pct(s.resources().heap()), ms(s.sendLag().p99()),
        s.verdict().status().name().toLowerCase(Locale.ROOT), String.join("; ", s.verdict().reasons()));
  }

  /** Prints the whole report. */
  public static void print(LoadReport r, PrintStream out) {
    out.println("target: " + r.target());
    out.println("machine: " + r.environment().get("cores") + " cores, max heap " + r.environment().get("max_heap_mb")
        + " MB, " + r.environment().get("java"));
    if (r.search() != null) {
      out.println();
      out.println("load test (SLO P99 <= " + (long) PassCriteria.millis(r.criteria().slo()) + " ms)");
      table(r.search().steps(), out);
      SearchResult s = r.search();
      out.println(Double.isNaN(s.maxSustainableRps())
          ? "max sustainable rps: none — " + s.note()
          : String.format(Locale.ROOT, "max sustainable rps: %s (P99 %s ms, %s CPU-s/request) — %s",
              LoadTester.fmt(s.maxSustainableRps()), ms(s.best().latency().p99()), cpuPerRequest(s.best()), s.note()));
    }
    if (r.stress() != null) {
      out.println();
      out.println("stress test");
      table(r.stress().ramp(), out);
      out.println(r.stress().note());
    }
  }

  private static void table(List<StepResult> steps, PrintStream out) {
    out.println(HEADER);
    for (StepResult s : steps) {
      out.println(row(s));
    }
  }

  private static String cpuPerRequest(StepResult s) {
    double v = s.cpuSecondsPerRequest();
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6f", v);
  }

  static String ms(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v < 10 ? String.format(Locale.ROOT, "%.3f", v) : v < 1000 ? String.format(Locale.ROOT, "%.1f", v)
        : String.format(Locale.ROOT, "%.0f", v);
  }

  static String pct(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v * 100);
  }
}
