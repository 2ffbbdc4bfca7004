package dev.personalization.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Writes a {@link LoadReport} as one self-contained HTML file: inline CSS and inline SVG charts, no
 * scripts, fonts, images or links to fetch, so it opens in a browser with no network. Charts:
 * latency percentiles, achieved rate, cache hit rate, and CPU and heap, each against the offered
 * rate and with the performance guide's targets drawn as lines; and, after a stress test, the
 * recovery timeline.
 */
public final class HtmlReport {

  /** The guide's throughput floor, drawn on the rate charts. */
  static final double GUIDE_RPS = 1000;
  /** The issue's goal for the full in-process pipeline, drawn on the charts. */
  static final double GOAL_RPS = 5000;
  /** The issue's P99 goal. */
  static final double GOAL_P99_MS = 10;

  private static final String CSS = """
      body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2330;max-width:1180px}
      h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
      .muted{color:#667}.kpi{display:inline-block;margin:8px 18px 8px 0;padding:10px 14px;border:1px solid #dde;border-radius:6px}
      .kpi b{display:block;font-size:20px}
      table{border-collapse:collapse;font-size:12.5px;margin:8px 0}td,th{border-bottom:1px solid #e4e6ee;padding:3px 7px;text-align:right}
      th{background:#f4f5f9}td.l,th.l{text-align:left}.pass{color:#137333}.fail{color:#b3261e}.invalid{color:#a05a00}
      svg{display:block;margin:6px 0 18px;background:#fff}
      svg .t{font-size:14px;font-weight:600}svg .tick{font-size:11px;fill:#556}svg .axis{font-size:12px;fill:#334}
      svg .lg,svg .rl{font-size:11px}svg .plot{fill:#fbfbfd;stroke:#c9ccd8}svg .grid{stroke:#eceef4}
      svg .rule{stroke-width:1.3;stroke-dasharray:2 3}
      """;

  private HtmlReport() {
  }

  /** Writes the report to {@code file}, creating parent directories. */
  public static void write(LoadReport report, Path file) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, render(report), StandardCharsets.UTF_8);
  }

  /** The HTML document. */
  public static String render(LoadReport r) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    h.append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n");
    h.append("<title>Load test report</title>\n<style>").append(CSS).append("</style></head><body>\n");
    h.append("<h1>Load test report</h1>\n");
    h.append("<div class=\"muted\">").append(esc(r.target())).append(" &middot; started ").append(esc(r.startedAt().toString()))
        .append(" &middot; ").append(r.elapsed().toSeconds()).append(" s &middot; ")
        .append(esc(r.environment().getOrDefault("cores", "?"))).append(" cores, max heap ")
        .append(esc(r.environment().getOrDefault("max_heap_mb", "?"))).append(" MB, ")
        .append(esc(r.environment().getOrDefault("java", ""))).append("</div>\n");
    kpis(r, h);
    double slo = PassCriteria.millis(r.criteria().slo());
    List<StepResult> steps = chartSteps(r.allSteps());
    if (!steps.isEmpty()) {
      h.append("<h2>Latency against offered rate</h2>\n");
      h.append("<p class=\"muted\">Measured from each request's intended start (open loop). Dotted lines: the SLO "
          + "(the guide's P99 floor) and the 10 ms goal. One point per rate: its last valid attempt (or its last "
          + "attempt, when all were invalid).</p>\n");
      h.append(new SvgChart("Latency percentiles (ms, log) vs offered rate (rps, log)", "offered rate (requests/s)",
          "latency (ms)", true, true)
          .series("P50", "#4e79a7", points(steps, s -> s.latency().p50()))
          .series("P90", "#59a14f", points(steps, s -> s.latency().p90()))
          .series("P99", "#e15759", points(steps, s -> s.latency().p99()))
          .series("P99.9", "#b07aa1", points(steps, s -> s.latency().p999()))
          .hline(slo, String.format(Locale.ROOT, "SLO %.0f ms", slo), "#b3261e")
          .hline(GOAL_P99_MS, "goal 10 ms", "#f28e2b")
          .vline(GUIDE_RPS, "guide 1000 rps", "#888")
          .render(1080, 380));
      List<double[]> ideal = new ArrayList<>();
      for (StepResult s : steps) {
        ideal.add(new double[] {s.targetRps(), s.targetRps()});
      }
      h.append("<h2>Throughput</h2>\n");
      h.append(new SvgChart("Achieved vs offered rate (rps, log)", "offered rate (requests/s)", "achieved (requests/s)",
          true, true)
          .dashed("offered", "#aaa", ideal)
          .series("achieved", "#4e79a7", points(steps, StepResult::achievedRps))
          .vline(GUIDE_RPS, "guide 1000 rps", "#888")
          .vline(GOAL_RPS, "goal 5000 rps", "#f28e2b")
          .render(1080, 340));
      h.append("<h2>Cache hit rate</h2>\n");
      h.append(new SvgChart("Cache hit rate (%) vs offered rate", "offered rate (requests/s)", "hit rate (%)", true, false)
          .series("all tiers", "#59a14f", points(steps, s -> s.hitRate() * 100))
          .series("user features", "#76b7b2", points(steps, s -> hitRate(s, "dynamic") * 100))
          .series("item features", "#edc948", points(steps, s -> hitRate(s, "static") * 100))
          .hline(80, "guide 80%", "#b3261e")
          .yRange(0, 105)
          .render(1080, 300));
      h.append("<h2>CPU and heap</h2>\n");
      h.append("<p class=\"muted\">CPU: process CPU time over wall time &times; cores (includes the load generator, "
          + "shown apart). Heap: the lowest occupancy right after a collection in the step (what the process cannot do "
          + "without), and the highest, over the maximum heap.</p>\n");
      h.append(new SvgChart("CPU and heap (%) vs offered rate", "offered rate (requests/s)", "% of machine / max heap",
          true, false)
          .series("process CPU", "#e15759", points(steps, s -> s.resources().cpu() * 100))
          .series("load generator CPU", "#ff9da7", points(steps, s -> s.generatorCpu() * 100))
          .series("heap after GC, lowest", "#4e79a7", points(steps, s -> s.resources().heap() * 100))
          .series("heap after GC, highest", "#a0cbe8", points(steps, s -> peakHeap(s) * 100))
          .hline(70, "guide CPU 70%", "#b3261e")
          .hline(80, "guide heap 80%", "#4e79a7")
          .yRange(0, 105)
          .render(1080, 300));
    }
    if (r.stress() != null && r.stress().recovery() != null) {
      StressResult st = r.stress();
      StepResult rec = st.recovery();
      long window = rec.timeline().size() < 2 ? 1 : rec.timeline().get(1).startMillis() - rec.timeline().get(0).startMillis();
      List<double[]> p99 = new ArrayList<>();
      List<double[]> errors = new ArrayList<>();
      for (TimelineWindow w : rec.timeline()) {
        double t = (w.startMillis() + window / 2.0) / 1000.0;
        p99.add(new double[] {t, Math.max(w.p99Millis(), 0.01)});
        if (w.errors() > 0 || w.finished() < w.due()) {
          errors.add(new double[] {t, slo});
        }
      }
      h.append("<h2>Recovery after overload</h2>\n");
      h.append("<p class=\"muted\">").append(esc(st.note())).append(". Load at ").append(LoadTester.fmt(rec.targetRps()))
          .append(" rps, dropped to ").append(LoadTester.fmt(st.recoveryRps()))
          .append(" rps at the dashed line; windows of ").append(window)
          .append(" ms by intended start; red marks windows with errors or unanswered requests.</p>\n");
      h.append(new SvgChart("P99 latency per window (ms, log) over time (s)", "time since overload began (s)",
          "P99 (ms)", false, true)
          .series("P99 per window", "#4e79a7", p99)
          .series("windows with errors", "#e15759", errors)
          .hline(slo, String.format(Locale.ROOT, "SLO %.0f ms", slo), "#b3261e")
          .vline(rec.durationSeconds(), "load drops", "#333")
          .render(1080, 340));
    }
    if (r.search() != null) {
      h.append("<h2>Load test steps</h2>\n");
      h.append("<p class=\"muted\">").append(esc(r.search().note())).append("</p>\n");
      table(r.search().steps(), h);
    }
    if (r.stress() != null) {
      h.append("<h2>Stress test steps</h2>\n");
      table(r.stress().ramp(), h);
    }
    h.append("<h2>Settings and rules</h2>\n<table>");
    for (Map.Entry<String, String> e : r.settings().entrySet()) {
      h.append("<tr><th class=\"l\">").append(esc(e.getKey())).append("</th><td class=\"l\">").append(esc(e.getValue()))
          .append("</td></tr>");
    }
    PassCriteria c = r.criteria();
    h.append(String.format(Locale.ROOT, "<tr><th class=\"l\">pass rules</th><td class=\"l\">achieved &ge; %.0f%% of target; "
        + "errors &le; %.1f%%; P99 &le; %.0f ms; last third P99 &le; %.1f &times; first third (when above %.0f ms); "
        + "CPU &le; %.0f%%; heap &le; %.0f%%; hit rate &ge; %.0f%%; invalid when send lag P99 &gt; %.1f ms</td></tr>",
        c.minAchieved() * 100, c.maxErrorRate() * 100, slo, c.maxBacklogGrowth(), PassCriteria.millis(c.backlogFloor()),
        c.maxCpu() * 100, c.maxHeap() * 100, c.minHitRate() * 100, PassCriteria.millis(c.maxSendLag())));
    BreakCriteria b = r.breakCriteria();
    h.append(String.format(Locale.ROOT, "<tr><th class=\"l\">break rules</th><td class=\"l\">achieved &lt; %.0f%% of target, "
        + "errors &gt; %.0f%%, or P99 &gt; %.0f &times; SLO</td></tr>", b.minAchieved() * 100, b.maxErrorRate() * 100,
        b.sloMultiple()));
    for (Map.Entry<String, String> e : r.environment().entrySet()) {
      h.append("<tr><th class=\"l\">").append(esc(e.getKey())).append("</th><td class=\"l\">").append(esc(e.getValue()))
          .append("</td></tr>");
    }
    h.append("</table>\n</body></html>\n");
    return h.toString();
  }

  private static void kpis(LoadReport r, StringBuilder h) {
    h.append("<div>");
    if (r.search() != null) {
      SearchResult s = r.search();
      kpi(h, "max sustainable rate", Double.isNaN(s.maxSustainableRps()) ? "none" : LoadTester.fmt(s.maxSustainableRps()) + " rps");
      if (s.best() != null) {
        kpi(h, "P99 at that rate", ConsoleReport.ms(s.best().latency().p99()) + " ms");
        kpi(h, "hit rate there", ConsoleReport.pct(s.best().hitRate()) + " %");
        kpi(h, "CPU there", ConsoleReport.pct(s.best().resources().cpu()) + " %");
      }
    }
    if (r.stress() != null) {
      StressResult s = r.stress();
      kpi(h, "breaking rate", Double.isNaN(s.breakingRps()) ? "not reached" : LoadTester.fmt(s.breakingRps()) + " rps");
      kpi(h, "recovery", Double.isNaN(s.recoverySeconds()) ? "n/a"
          : String.format(Locale.ROOT, "%.1f s", s.recoverySeconds()));
    }
    h.append("</div>\n");
  }

  private static void kpi(StringBuilder h, String label, String value) {
    h.append("<span class=\"kpi\"><b>").append(esc(value)).append("</b>").append(esc(label)).append("</span>");
  }

  private static void table(List<StepResult> steps, StringBuilder h) {
    h.append("<table><tr><th class=\"l\">step</th><th>target rps</th><th>achieved</th><th>P50 ms</th><th>P90</th>"
        + "<th>P99</th><th>P99.9</th><th>max</th><th>errors %</th><th>degraded %</th><th>hit %</th><th>CPU %</th>"
        + "<th>heap %</th><th>send lag P99</th><th class=\"l\">verdict</th></tr>\n");
    for (StepResult s : steps) {
      String status = s.verdict().status().name().toLowerCase(Locale.ROOT);
      h.append(String.format(Locale.ROOT,
          "<tr><td class=\"l\">%s</td><td>%s</td><td>%.1f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
              + "<td>%.3f</td><td>%.2f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
              + "<td class=\"l %s\">%s</td></tr>%n",
          esc(s.label() + (s.attempt() > 1 ? " #" + s.attempt() : "")), LoadTester.fmt(s.targetRps()), s.achievedRps(),
          ConsoleReport.ms(s.latency().p50()), ConsoleReport.ms(s.latency().p90()), ConsoleReport.ms(s.latency().p99()),
          ConsoleReport.ms(s.latency().p999()), ConsoleReport.ms(s.latency().max()), s.errorRate() * 100,
          s.degradedRate() * 100, ConsoleReport.pct(s.hitRate()), ConsoleReport.pct(s.resources().cpu()),
          ConsoleReport.pct(s.resources().heap()), ConsoleReport.ms(s.sendLag().p99()), status,
          esc(status + (s.verdict().reasons().isEmpty() ? "" : ": " + String.join("; ", s.verdict().reasons())))));
    }
    h.append("</table>\n");
  }

  /**
   * One step per offered rate, sorted by rate: the last valid attempt, or — when every attempt at
   * that rate was invalid — the last attempt, so that a run on a noisy machine still has charts
   * (the tables say which steps were invalid).
   */
  static List<StepResult> chartSteps(List<StepResult> all) {
    Map<Double, StepResult> byRate = new LinkedHashMap<>();
    for (StepResult s : all) {
      StepResult held = byRate.get(s.targetRps());
      boolean heldValid = held != null && held.verdict().status() != Verdict.Status.INVALID;
      if (held == null || s.verdict().status() != Verdict.Status.INVALID || !heldValid) {
        byRate.put(s.targetRps(), s);
      }
    }
    List<StepResult> out = new ArrayList<>(byRate.values());
    out.sort(Comparator.comparingDouble(StepResult::targetRps));
    return out;
  }

  private static List<double[]> points(List<StepResult> steps, ToDoubleFunction<StepResult> y) {
    List<double[]> out = new ArrayList<>(steps.size());
    for (StepResult s : steps) {
      out.add(new double[] {s.targetRps(), y.applyAsDouble(s)});
    }
    return out;
  }

  private static double peakHeap(StepResult s) {
    ResourceUsage u = s.resources();
    return u.heapPeakAfterGcBytes() < 0 || u.heapMaxBytes() <= 0 ? Double.NaN
        : (double) u.heapPeakAfterGcBytes() / u.heapMaxBytes();
  }

  /** Hit rate over every tier of one freshness class ({@code static}, {@code dynamic}). */
  static double hitRate(StepResult s, String freshness) {
    Map<String, TierCounts> only = new LinkedHashMap<>();
    s.cacheCounts().forEach((k, v) -> {
      if (k.endsWith("/" + freshness)) {
        only.put(k, v);
      }
    });
    return TierCounts.overallHitRate(only);
  }

  private static String esc(String s) {
    return SvgChart.esc(s);
  }
}
