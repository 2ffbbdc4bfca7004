package dev.personalization.bench.load;

import dev.personalization.bench.workload.SyntheticWorkload;
import dev.personalization.bench.workload.WorkloadSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The load tester's command line. Run it from the benchmarks jar:
 *
 * <pre>
 * mvn -B -q -DskipTests -pl personalization-bench -am package
 * java -cp personalization-bench/target/benchmarks.jar dev.personalization.bench.load.LoadTestCommand [options]
 * </pre>
 *
 * <p>Options (defaults in brackets):
 *
 * <pre>
 * --rps LIST             first rates to try [100,500,1000,2000]; then ×2 until a step fails, then bisection
 * --step-duration DUR    measured time per step [300s]
 * --warmup DUR           unmeasured load before each step [10s]
 * --short                CI mode: small shop, 2 s steps after 1 s warm-up, rates [50,100], no ramp,
 *                        no bisection, no reruns
 * --no-extend            run only the listed rates, all of them (no ramp, no bisection)
 * --reruns N             reruns of a step the load generator could not drive [2]
 * --max-send-lag DUR     a step whose send lag P99 exceeds this is invalid [1ms]; raise it only on a
 *                        shared machine, and say so when quoting the figures
 * --stress               also run the stress test (ramp ×1.25 from the maximum sustainable rate until
 *                        the target breaks, then recovery after dropping back to that rate)
 * --stress-from RPS      only the stress test, from RPS (no load test)
 * --stress-step-duration DUR  [30s]     --overload DUR [10s]     --recovery DUR [30s]
 * --slo DUR              the P99 objective [100ms]
 * --out DIR              where report.json and report.html go [target/load-report]
 * --url URL              load an HTTP service at URL instead of the in-process engine
 * --threads N            sender threads [1]
 * --arrivals fixed|poisson   [fixed]
 * --engine NAME          in-process engine: default, full or full-cached [default]; see {@link #ENGINES}
 * --workload standard|small  the synthetic shop [standard; small with --short]
 * --max-rps N            never offer more [1000000]
 * --seed N               workload seed [42]
 * </pre>
 *
 * <p>Durations are {@code 250ms}, {@code 30s}, {@code 5m} or a bare number of seconds. The exit code
 * is 0 whatever the figures (the command measures, it does not gate), 2 for bad options.
 */
public final class LoadTestCommand {

  /**
   * The in-process engine configurations, by name, registered explicitly: {@code default} (Caffeine
   * L1, in-memory store, logistic model), {@code full} (adds a local Redis L2, the ONNX MLP and the
   * JDBC store on a local PostgreSQL; see {@link FullPipelineFactory}) and {@code full-cached} (the
   * same with the model behind the model-output cache and the batcher).
   */
  static final Map<String, Supplier<EngineFactory>> ENGINES = Map.of(
      "default", EngineFactory::defaults,
      "full", () -> new FullPipelineFactory(false),
      "full-cached", () -> new FullPipelineFactory(true));

  private LoadTestCommand() {
  }

  public static void main(String[] args) throws Exception {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("load test: " + e.getMessage());
      err.println("usage: LoadTestCommand [--rps 100,500,1000,2000] [--step-duration 300s] [--warmup 10s] [--short] "
          + "[--no-extend] [--stress] [--slo 100ms] [--out target/load-report] [--url http://...] [--threads 1] "
          + "[--arrivals fixed|poisson] [--engine default|full|full-cached] [--workload standard|small] [--max-rps N] [--reruns N] "
          + "[--max-send-lag 1ms] [--stress-from RPS] [--seed N]");
      return 2;
    }
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    SyntheticWorkload workload = SyntheticWorkload.of(o.workload);
    Target target;
    if (o.url != null) {
      target = HttpTarget.of(o.url, o.slo.multipliedBy(20));
    } else {
      EngineFactory factory = ENGINES.get(o.engine).get();
      out.printf(Locale.ROOT, "loading the synthetic shop (%d users, %d items, %d seed events) into the engine...%n",
          o.workload.users(), o.workload.items(), o.workload.seedEvents());
      InProcessTarget t = InProcessTarget.start(factory, workload);
      out.printf(Locale.ROOT, "loaded %d events in %.1f s%n", t.seedEvents(), t.seedSeconds());
      target = t;
    }
    try (target) {
      OpenLoopRunner runner = OpenLoopRunner.builder(target, workload).senders(o.threads).seed(o.workload.seed()).build();
      PassCriteria base = PassCriteria.withSlo(o.slo);
      PassCriteria criteria = new PassCriteria(base.slo(), base.minAchieved(), base.maxErrorRate(), base.maxBacklogGrowth(),
          base.backlogFloor(), base.maxCpu(), base.maxHeap(), base.minHitRate(), o.maxSendLag);
      LoadTester tester = LoadTester.builder(runner)
          .criteria(criteria)
          .stepDuration(o.stepDuration)
          .warmup(o.warmup)
          .arrivals(o.arrivals)
          .extend(o.extend)
          .maxRps(o.maxRps)
          .maxReruns(o.reruns)
          .stressStepDuration(o.stressStepDuration)
          .stressWarmup(o.warmup.compareTo(Duration.ofSeconds(5)) < 0 ? o.warmup : Duration.ofSeconds(5))
          .overload(o.overload)
          .recovery(o.recovery)
          .recoveryWindow(o.recoveryWindow)
          .listener(r -> out.println(ConsoleReport.row(r)))
          .build();
      out.println("target: " + target.description());
      out.println(ConsoleReport.header());
      SearchResult search = o.stressFrom == null ? tester.findMaxSustainable(o.rps) : null;
      StressResult stress = null;
      if (o.stress) {
        double start = o.stressFrom != null ? o.stressFrom
            : Double.isNaN(search.maxSustainableRps()) ? o.rps.get(0) : search.maxSustainableRps();
        if (o.stressFrom != null) {
          // Without a load test before it the JVM is cold: compile the hot paths at half the start
          // rate first, or the first stress step measures the JIT compiler.
          double warm = LoadTester.round(start / 2);
          out.println("JVM warm-up at " + LoadTester.fmt(warm) + " rps for " + o.warmup.toSeconds() + " s (not reported)");
          runner.run(StepPlan.steady(warm, o.warmup, Duration.ofSeconds(1), o.arrivals, "jvm-warmup"));
        }
        out.println("stress test from " + LoadTester.fmt(start) + " rps");
        stress = tester.stress(start, start);
      }
      LoadReport report = new LoadReport(started, Duration.ofNanos(System.nanoTime() - t0), target.description(),
          LoadReport.thisEnvironment(), o.settings(), criteria, tester.breakCriteria(), search, stress);
      out.println();
      ConsoleReport.print(report, out);
      Path json = o.out.resolve("report.json");
      Path html = o.out.resolve("report.html");
      JsonReport.write(report, json);
      HtmlReport.write(report, html);
      out.println();
      out.println("wrote " + json.toAbsolutePath() + " and " + html.toAbsolutePath());
    }
    return 0;
  }

  /** Parsed options. */
  static final class Options {
    List<Double> rps = List.of(100.0, 500.0, 1000.0, 2000.0);
    Duration stepDuration = Duration.ofSeconds(300);
    Duration warmup = Duration.ofSeconds(10);
    boolean extend = true;
    boolean stress;
    Duration stressStepDuration = Duration.ofSeconds(30);
    Duration overload = Duration.ofSeconds(10);
    Duration recovery = Duration.ofSeconds(30);
    Duration recoveryWindow = Duration.ofMillis(250);
    Duration slo = PassCriteria.DEFAULT_SLO;
    Path out = Path.of("target", "load-report");
    URI url;
    int threads = 1;
    Arrivals arrivals = Arrivals.FIXED;
    String engine = "default";
    WorkloadSpec workload = WorkloadSpec.standard();
    double maxRps = 1_000_000;
    int reruns = 2;
    Duration maxSendLag = Duration.ofMillis(1);
    Double stressFrom;
    final Map<String, String> given = new LinkedHashMap<>();

    static Options parse(String[] args) {
      Options o = new Options();
      boolean isShort = false;
      for (String a : args) {
        if (a.equals("--short")) {
          isShort = true;
        }
      }
      if (isShort) {
        // Applied first so that explicit options still override them.
        o.rps = List.of(50.0, 100.0);
        o.stepDuration = Duration.ofSeconds(2);
        o.warmup = Duration.ofSeconds(1);
        o.extend = false;
        o.stressStepDuration = Duration.ofSeconds(2);
        o.overload = Duration.ofSeconds(2);
        o.recovery = Duration.ofSeconds(3);
        o.recoveryWindow = Duration.ofMillis(100);
        o.workload = WorkloadSpec.small();
        o.reruns = 0;
      }
      Long seed = null;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--short" -> o.given.put("short", "true");
          case "--no-extend" -> {
            o.extend = false;
            o.given.put("no-extend", "true");
          }
          case "--stress" -> {
            o.stress = true;
            o.given.put("stress", "true");
          }
          default -> {
            if (!a.startsWith("--") || i + 1 >= args.length) {
              throw new IllegalArgumentException("unknown option or missing value: " + a);
            }
            String v = args[++i];
            o.given.put(a.substring(2), v);
            switch (a) {
              case "--rps" -> o.rps = rates(v);
              case "--step-duration" -> o.stepDuration = duration(v, a);
              case "--warmup" -> o.warmup = duration(v, a);
              case "--stress-step-duration" -> o.stressStepDuration = duration(v, a);
              case "--overload" -> o.overload = duration(v, a);
              case "--recovery" -> o.recovery = duration(v, a);
              case "--slo" -> o.slo = duration(v, a);
              case "--out" -> o.out = Path.of(v);
              case "--url" -> o.url = URI.create(v);
              case "--threads" -> {
                o.threads = integer(v, a);
                if (o.threads < 1 || o.threads > 64) {
                  throw new IllegalArgumentException("--threads must be in [1, 64], was " + v);
                }
              }
              case "--arrivals" -> o.arrivals = Arrivals.valueOf(v.toUpperCase(Locale.ROOT));
              case "--engine" -> {
                if (!ENGINES.containsKey(v)) {
                  throw new IllegalArgumentException("--engine must be one of " + ENGINES.keySet() + ", was " + v);
                }
                o.engine = v;
              }
              case "--workload" -> o.workload = switch (v) {
                case "standard" -> WorkloadSpec.standard();
                case "small" -> WorkloadSpec.small();
                default -> throw new IllegalArgumentException("--workload must be standard or small, was " + v);
              };
              case "--max-rps" -> o.maxRps = Double.parseDouble(v);
              case "--reruns" -> o.reruns = integer(v, a);
              case "--max-send-lag" -> o.maxSendLag = duration(v, a);
              case "--stress-from" -> {
                o.stressFrom = Double.parseDouble(v);
                o.stress = true;
              }
              case "--seed" -> seed = Long.parseLong(v);
              default -> throw new IllegalArgumentException("unknown option " + a);
            }
          }
        }
      }
      if (seed != null) {
        o.workload = o.workload.withSeed(seed);
      }
      if (o.overload.toNanos() % o.recoveryWindow.toNanos() != 0) {
        throw new IllegalArgumentException("--overload must be a multiple of " + o.recoveryWindow.toMillis() + " ms");
      }
      return o;
    }

    Map<String, String> settings() {
      Map<String, String> s = new LinkedHashMap<>();
      s.put("command line", given.isEmpty() ? "(defaults)" : given.toString());
      s.put("rates", rps.toString());
      s.put("step duration", stepDuration.toString());
      s.put("warm-up", warmup.toString());
      s.put("ramp and bisection", Boolean.toString(extend));
      s.put("stress", Boolean.toString(stress));
      s.put("arrivals", arrivals.name().toLowerCase(Locale.ROOT));
      s.put("sender threads", Integer.toString(threads));
      s.put("max send lag P99", maxSendLag.toString());
      s.put("workload", workload.toString());
      return s;
    }

    static List<Double> rates(String v) {
      List<Double> out = new ArrayList<>();
      for (String part : v.split(",")) {
        try {
          out.add(Double.parseDouble(part.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--rps must be comma-separated numbers, was " + v);
        }
      }
      return out;
    }

    static int integer(String v, String option) {
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " must be an integer, was " + v);
      }
    }

    /** {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h} or a bare number of seconds. */
    static Duration duration(String v, String option) {
      try {
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        double n;
        long unitMillis;
        if (s.endsWith("s")) {
          n = Double.parseDouble(s.substring(0, s.length() - 1));
          unitMillis = 1000;
        } else if (s.endsWith("m")) {
          n = Double.parseDouble(s.substring(0, s.length() - 1));
          unitMillis = 60_000;
        } else if (s.endsWith("h")) {
          n = Double.parseDouble(s.substring(0, s.length() - 1));
          unitMillis = 3_600_000;
        } else {
          n = Double.parseDouble(s);
          unitMillis = 1000;
        }
        return Duration.ofMillis(Math.round(n * unitMillis));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + " must be a duration like 250ms, 30s or 5m, was " + v);
      }
    }
  }
}
