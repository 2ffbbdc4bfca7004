package dev.personalization.bench.load;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one load-test run produced, for the {@link ConsoleReport}, {@link JsonReport} and
 * {@link HtmlReport} writers. Immutable.
 *
 * @param startedAt when the run began
 * @param elapsed how long it took
 * @param target what was loaded
 * @param environment the machine and JVM (cores, heap, Java version, …)
 * @param settings the run's options, as given
 * @param criteria the pass rules
 * @param breakCriteria the stress test's rules
 * @param search the load test, or {@code null} if not run
 * @param stress the stress test, or {@code null} if not run
 */
public record LoadReport(
    Instant startedAt, Duration elapsed, String target, Map<String, String> environment, Map<String, String> settings,
    PassCriteria criteria, BreakCriteria breakCriteria, SearchResult search, StressResult stress) {

  public LoadReport {
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(target, "target");
    environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    Objects.requireNonNull(criteria, "criteria");
    Objects.requireNonNull(breakCriteria, "breakCriteria");
  }

  /** Every step of the load test and the stress test, in the order run (recovery run excluded). */
  public List<StepResult> allSteps() {
    List<StepResult> all = new ArrayList<>();
    if (search != null) {
      all.addAll(search.steps());
    }
    if (stress != null) {
      all.addAll(stress.ramp());
    }
    return all;
  }

  /** This machine and JVM, as reports describe them. */
  public static Map<String, String> thisEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    Runtime rt = Runtime.getRuntime();
    env.put("cores", Integer.toString(rt.availableProcessors()));
    env.put("max_heap_mb", Long.toString(rt.maxMemory() >> 20));
    env.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
    env.put("vm", System.getProperty("java.vm.name"));
    env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
    List<String> gcs = new ArrayList<>();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      gcs.add(gc.getName());
    }
    env.put("gc", String.join(", ", gcs));
    env.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    return env;
  }
}
