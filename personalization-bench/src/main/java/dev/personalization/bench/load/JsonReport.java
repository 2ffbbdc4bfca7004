package dev.personalization.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link LoadReport} as JSON: latencies in milliseconds, fractions in {@code 0 … 1}, rates
 * in requests per second, {@code null} for what was not measured. The layout is stable enough to
 * compare runs with {@code jq}.
 */
public final class JsonReport {

  private JsonReport() {
  }

  /** The report as a JSON document. */
  public static String toJson(LoadReport report) {
    return Json.write(toMap(report));
  }

  /** Writes {@link #toJson} to {@code file}, creating parent directories. */
  public static void write(LoadReport report, Path file) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, toJson(report), StandardCharsets.UTF_8);
  }

  static Map<String, Object> toMap(LoadReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("started_at", r.startedAt().toString());
    m.put("elapsed_s", r.elapsed().toMillis() / 1000.0);
    m.put("target", r.target());
    m.put("environment", r.environment());
    m.put("settings", r.settings());
    Map<String, Object> c = new LinkedHashMap<>();
    PassCriteria p = r.criteria();
    c.put("slo_ms", PassCriteria.millis(p.slo()));
    c.put("min_achieved", p.minAchieved());
    c.put("max_error_rate", p.maxErrorRate());
    c.put("max_backlog_growth", p.maxBacklogGrowth());
    c.put("backlog_floor_ms", PassCriteria.millis(p.backlogFloor()));
    c.put("max_cpu", p.maxCpu());
    c.put("max_heap", p.maxHeap());
    c.put("min_hit_rate", p.minHitRate());
    c.put("max_send_lag_p99_ms", PassCriteria.millis(p.maxSendLag()));
    BreakCriteria b = r.breakCriteria();
    c.put("break_min_achieved", b.minAchieved());
    c.put("break_max_error_rate", b.maxErrorRate());
    c.put("break_slo_multiple", b.sloMultiple());
    m.put("criteria", c);
    if (r.search() != null) {
      SearchResult s = r.search();
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("max_sustainable_rps", s.maxSustainableRps());
      sm.put("p99_ms_at_max", s.best() == null ? null : s.best().latency().p99());
      sm.put("cpu_seconds_per_request_at_max", s.best() == null ? null : s.best().cpuSecondsPerRequest());
      sm.put("lowest_failing_rps", s.lowestFailingRps());
      sm.put("note", s.note());
      sm.put("steps", steps(s.steps()));
      m.put("load_test", sm);
    }
    if (r.stress() != null) {
      StressResult s = r.stress();
      Map<String, Object> sm = new LinkedHashMap<>();
      sm.put("breaking_rps", s.breakingRps());
      sm.put("break_reasons", s.breakReasons());
      sm.put("recovery_rps", s.recoveryRps());
      sm.put("recovery_s", s.recoverySeconds());
      sm.put("note", s.note());
      sm.put("steps", steps(s.ramp()));
      sm.put("recovery_run", s.recovery() == null ? null : step(s.recovery()));
      m.put("stress_test", sm);
    }
    return m;
  }

  private static List<Object> steps(List<StepResult> steps) {
    List<Object> out = new ArrayList<>(steps.size());
    for (StepResult s : steps) {
      out.add(step(s));
    }
    return out;
  }

  static Map<String, Object> step(StepResult s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", s.label());
    m.put("attempt", s.attempt());
    m.put("target_rps", s.targetRps());
    m.put("achieved_rps", s.achievedRps());
    m.put("duration_s", s.durationSeconds());
    m.put("scheduled", s.scheduled());
    m.put("completed", s.completed());
    m.put("errors", s.errors());
    m.put("rejected", s.rejected());
    m.put("timed_out", s.timedOut());
    m.put("degraded", s.degraded());
    m.put("error_rate", s.errorRate());
    m.put("degraded_rate", s.degradedRate());
    m.put("latency_ms", latency(s.latency()));
    m.put("service_time_ms", latency(s.serviceTime()));
    m.put("send_lag_ms", latency(s.sendLag()));
    m.put("first_third_p99_ms", s.firstThirdP99());
    m.put("last_third_p99_ms", s.lastThirdP99());
    m.put("hit_rate", s.hitRate());
    Map<String, Object> tiers = new LinkedHashMap<>();
    s.cacheCounts().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("hits", e.getValue().hits());
      t.put("misses", e.getValue().misses());
      t.put("hit_rate", e.getValue().hitRate());
      tiers.put(e.getKey(), t);
    });
    m.put("cache", tiers);
    ResourceUsage u = s.resources();
    m.put("cpu", u.cpu());
    m.put("cpu_seconds", u.cpuSeconds());
    m.put("cpu_seconds_per_request", s.cpuSecondsPerRequest());
    m.put("generator_cpu", s.generatorCpu());
    m.put("heap", u.heap());
    m.put("heap_used_bytes", u.heapUsedBytes() < 0 ? null : u.heapUsedBytes());
    m.put("heap_peak_after_gc_bytes", u.heapPeakAfterGcBytes() < 0 ? null : u.heapPeakAfterGcBytes());
    m.put("heap_max_bytes", u.heapMaxBytes() < 0 ? null : u.heapMaxBytes());
    m.put("verdict", s.verdict().status().name().toLowerCase(java.util.Locale.ROOT));
    m.put("reasons", s.verdict().reasons());
    if (!s.timeline().isEmpty()) {
      List<Object> windows = new ArrayList<>();
      for (TimelineWindow w : s.timeline()) {
        Map<String, Object> wm = new LinkedHashMap<>();
        wm.put("start_ms", w.startMillis());
        wm.put("due", w.due());
        wm.put("finished", w.finished());
        wm.put("errors", w.errors());
        wm.put("p99_ms", w.p99Millis());
        wm.put("max_ms", w.maxMillis());
        windows.add(wm);
      }
      m.put("timeline", windows);
    }
    return m;
  }

  private static Map<String, Object> latency(LatencySummary l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", l.count());
    m.put("mean", l.mean());
    m.put("p50", l.p50());
    m.put("p90", l.p90());
    m.put("p99", l.p99());
    m.put("p999", l.p999());
    m.put("max", l.max());
    return m;
  }
}
