package dev.personalization.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The load test and the stress test, on top of a {@link StepRunner}.
 *
 * <p><b>Maximum sustainable rate</b> ({@link #findMaxSustainable}): run the given rates in
 * ascending order (default 100, 500, 1000, 2000 requests per second), then keep multiplying the
 * last by {@code rampFactor} (2) until a step fails; the maximum is the highest passing rate with
 * every lower step passing, refined by bisection between it and the first failing rate until the two
 * are within {@code tolerance} (5%). A step the {@link PassCriteria} call invalid (the load
 * generator fell behind) is rerun up to {@code maxReruns} times; if it stays invalid it bounds the
 * search like a failure and the note says so.
 *
 * <p><b>Stress test</b> ({@link #stress}): ramp by {@code stressFactor} (1.25) from a start rate
 * until the target breaks by the {@link BreakCriteria}, then run the breaking rate for
 * {@code overload} and drop to a lower rate for {@code recovery}, watching a timeline of
 * {@code recoveryWindow}-wide windows to report how long the target takes to recover. A stress step
 * that breaks counts as broken even if the generator lagged as well (in process they share the
 * CPU, and overload is the point); one that neither breaks nor keeps the send lag within bounds is
 * rerun like a load step and, if it stays invalid, the ramp goes on and the note says so.
 *
 * <p>Not thread-safe; one test at a time.
 */
public final class LoadTester {

  private final StepRunner runner;
  private final Duration stepDuration;
  private final Duration warmup;
  private final Arrivals arrivals;
  private final PassCriteria criteria;
  private final BreakCriteria breakCriteria;
  private final int maxReruns;
  private final double tolerance;
  private final double rampFactor;
  private final double maxRps;
  private final boolean extend;
  private final Duration stressStepDuration;
  private final Duration stressWarmup;
  private final double stressFactor;
  private final Duration overload;
  private final Duration recovery;
  private final Duration recoveryWindow;
  private final Consumer<StepResult> listener;

  private LoadTester(Builder b) {
    this.runner = b.runner;
    this.stepDuration = b.stepDuration;
    this.warmup = b.warmup;
    this.arrivals = b.arrivals;
    this.criteria = b.criteria;
    this.breakCriteria = b.breakCriteria != null ? b.breakCriteria : BreakCriteria.withSlo(b.criteria.slo());
    this.maxReruns = b.maxReruns;
    this.tolerance = b.tolerance;
    this.rampFactor = b.rampFactor;
    this.maxRps = b.maxRps;
    this.extend = b.extend;
    this.stressStepDuration = b.stressStepDuration;
    this.stressWarmup = b.stressWarmup;
    this.stressFactor = b.stressFactor;
    this.overload = b.overload;
    this.recovery = b.recovery;
    this.recoveryWindow = b.recoveryWindow;
    this.listener = b.listener;
  }

  /** A tester over {@code runner} with the defaults documented on each builder method. */
  public static Builder builder(StepRunner runner) {
    return new Builder(runner);
  }

  /** The criteria steps are judged by. */
  public PassCriteria criteria() {
    return criteria;
  }

  /** The criteria of the stress test. */
  public BreakCriteria breakCriteria() {
    return breakCriteria;
  }

  /**
   * Finds the maximum sustainable rate, starting with {@code rates}.
   *
   * @param rates the first rates to try; sorted and de-duplicated here
   * @throws IllegalArgumentException if {@code rates} is empty or has a non-positive rate
   */
  public SearchResult findMaxSustainable(List<Double> rates) throws InterruptedException {
    if (rates.isEmpty()) {
      throw new IllegalArgumentException("rates must not be empty");
    }
    TreeSet<Double> ascending = new TreeSet<>();
    for (double r : rates) {
      if (!(r > 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException("rates must be positive and finite, was " + r);
      }
      ascending.add(r);
    }
    List<StepResult> steps = new ArrayList<>();
    double lastPass = Double.NaN;
    double firstFail = Double.NaN;
    StepResult best = null;
    StepResult failing = null;
    List<Double> queue = new ArrayList<>(ascending);
    for (int i = 0; i < queue.size(); i++) {
      double rate = queue.get(i);
      StepResult r = judged(StepPlan.steady(rate, warmup, stepDuration, arrivals, "step"), steps);
      boolean clean = Double.isNaN(firstFail);
      if (r.verdict().passed() && clean) {
        lastPass = rate;
        best = r;
        if (extend && i == queue.size() - 1 && rate * rampFactor <= maxRps) {
          queue.add(rate * rampFactor);
        }
      } else if (!r.verdict().passed() && clean) {
        firstFail = rate;
        failing = r;
        if (extend) {
          break;
        }
      }
    }
    if (Double.isNaN(firstFail)) {
      return new SearchResult(steps, lastPass, best, Double.NaN, extend
          ? String.format(Locale.ROOT, "every step passed up to the cap of %.0f rps", maxRps)
          : "every listed step passed (no ramp or bisection asked for)");
    }
    if (Double.isNaN(lastPass)) {
      return new SearchResult(steps, Double.NaN, null, firstFail,
          String.format(Locale.ROOT, "the first step (%.0f rps) did not pass: %s", firstFail, reasons(failing)));
    }
    if (extend) {
      double lo = lastPass;
      double hi = firstFail;
      while (hi > lo * (1 + tolerance)) {
        double mid = round((lo + hi) / 2);
        if (mid <= lo || mid >= hi) {
          break;
        }
        StepResult r = judged(StepPlan.steady(mid, warmup, stepDuration, arrivals, "bisect"), steps);
        if (r.verdict().passed()) {
          lo = mid;
          best = r;
        } else {
          hi = mid;
          failing = r;
        }
      }
      lastPass = lo;
      firstFail = hi;
    }
    String how = failing.verdict().status() == Verdict.Status.INVALID
        ? "bounded by the load generator, which fell behind at " + fmt(firstFail) + " rps"
        : "first failing rate " + fmt(firstFail) + " rps: " + reasons(failing);
    return new SearchResult(steps, lastPass, best, firstFail, how);
  }

  /**
   * Ramps from {@code startRps} until the target breaks, then measures recovery after dropping to
   * {@code recoveryRps} (or to half the breaking rate, if it broke at or below {@code recoveryRps}).
   */
  public StressResult stress(double startRps, double recoveryRps) throws InterruptedException {
    if (!(startRps > 0) || !(recoveryRps > 0)) {
      throw new IllegalArgumentException("startRps and recoveryRps must be positive, were " + startRps + ", " + recoveryRps);
    }
    List<StepResult> ramp = new ArrayList<>();
    double rate = startRps;
    int lagging = 0;
    while (rate <= maxRps) {
      StepResult raw = null;
      List<String> broken = List.of();
      boolean invalid = false;
      for (int attempt = 1; attempt <= 1 + maxReruns; attempt++) {
        raw = runner.run(StepPlan.steady(rate, stressWarmup, stressStepDuration, arrivals, "stress")).relabelled("stress",
            attempt);
        broken = breakCriteria.reasons(raw);
        Verdict lag = criteria.judge(raw);
        invalid = lag.status() == Verdict.Status.INVALID;
        if (!broken.isEmpty()) {
          // Broken counts even when the generator lagged too: in process, generator and target share
          // the CPU, and an overloaded target is what this test is after.
          record(raw.withVerdict(new Verdict(Verdict.Status.FAIL, broken)), ramp);
          break;
        }
        record(raw.withVerdict(invalid ? lag : new Verdict(Verdict.Status.PASS, List.of())), ramp);
        if (!invalid) {
          break;
        }
      }
      if (invalid && broken.isEmpty()) {
        lagging++;
      }
      if (!broken.isEmpty()) {
        // Drop back to the given rate; if the target broke at or below it, that rate was not
        // sustainable this time, so drop to half the breaking rate instead.
        double dropTo = recoveryRps < rate ? recoveryRps : round(rate / 2);
        StepResult run = runner.run(StepPlan.dropAfter(rate, overload, dropTo, recovery, recoveryWindow, arrivals));
        run = run.withVerdict(Verdict.UNJUDGED);
        listener.accept(run);
        double seconds = StressResult.recoverySeconds(run.timeline(), overload.toMillis(), recoveryWindow.toMillis(),
            PassCriteria.millis(criteria.slo()));
        String note = Double.isNaN(seconds)
            ? "broke at " + fmt(rate) + " rps and had not recovered " + recovery.toSeconds() + " s after the drop to "
                + fmt(dropTo) + " rps"
            : String.format(Locale.ROOT, "broke at %s rps; recovered %.2f s after the drop to %s rps", fmt(rate), seconds,
                fmt(dropTo));
        if (lagging > 0) {
          note += " (" + lagging + " lower rate(s) stayed invalid: the load generator lagged)";
        }
        return new StressResult(ramp, rate, broken, run, dropTo, seconds, note);
      }
      rate = round(rate * stressFactor);
    }
    return new StressResult(ramp, Double.NaN, List.of(), null, recoveryRps, Double.NaN,
        "did not break up to the cap of " + fmt(maxRps) + " rps");
  }

  /** Runs a plan, judging it, rerunning it while it is invalid. */
  private StepResult judged(StepPlan plan, List<StepResult> steps) throws InterruptedException {
    StepResult r = null;
    for (int attempt = 1; attempt <= 1 + maxReruns; attempt++) {
      StepResult raw = runner.run(plan).relabelled(plan.label(), attempt);
      r = raw.withVerdict(criteria.judge(raw));
      record(r, steps);
      if (r.verdict().status() != Verdict.Status.INVALID) {
        return r;
      }
    }
    return r;
  }

  private void record(StepResult r, List<StepResult> into) {
    into.add(r);
    listener.accept(r);
  }

  private static String reasons(StepResult r) {
    return String.join("; ", r.verdict().reasons());
  }

  /** Whole requests per second above 10, a tenth below: rates that read well and bisect cleanly. */
  static double round(double rps) {
    return rps >= 10 ? Math.round(rps) : Math.round(rps * 10) / 10.0;
  }

  static String fmt(double rps) {
    return rps == Math.rint(rps) ? String.format(Locale.ROOT, "%.0f", rps) : String.format(Locale.ROOT, "%.1f", rps);
  }

  /** Configures a {@link LoadTester}. Not thread-safe. */
  public static final class Builder {
    private final StepRunner runner;
    private Duration stepDuration = Duration.ofSeconds(300);
    private Duration warmup = Duration.ofSeconds(10);
    private Arrivals arrivals = Arrivals.FIXED;
    private PassCriteria criteria = PassCriteria.ofDefaults();
    private BreakCriteria breakCriteria;
    private int maxReruns = 2;
    private double tolerance = 0.05;
    private double rampFactor = 2;
    private double maxRps = 1_000_000;
    private boolean extend = true;
    private Duration stressStepDuration = Duration.ofSeconds(30);
    private Duration stressWarmup = Duration.ofSeconds(5);
    private double stressFactor = 1.25;
    private Duration overload = Duration.ofSeconds(10);
    private Duration recovery = Duration.ofSeconds(30);
    private Duration recoveryWindow = Duration.ofMillis(250);
    private Consumer<StepResult> listener = r -> { };

    private Builder(StepRunner runner) {
      this.runner = Objects.requireNonNull(runner, "runner");
    }

    /** Measured duration of each step (default 300 s, the guide's). */
    public Builder stepDuration(Duration d) {
      this.stepDuration = positive(d, "stepDuration");
      return this;
    }

    /** Unmeasured load before each step (default 10 s). */
    public Builder warmup(Duration d) {
      this.warmup = nonNegative(d, "warmup");
      return this;
    }

    /** How due times are spaced (default {@link Arrivals#FIXED}). */
    public Builder arrivals(Arrivals a) {
      this.arrivals = Objects.requireNonNull(a, "arrivals");
      return this;
    }

    /** When a step passes (default {@link PassCriteria#ofDefaults()}). */
    public Builder criteria(PassCriteria c) {
      this.criteria = Objects.requireNonNull(c, "criteria");
      return this;
    }

    /** When the stress test calls the target broken (default {@link BreakCriteria#withSlo} of the criteria's SLO). */
    public Builder breakCriteria(BreakCriteria c) {
      this.breakCriteria = Objects.requireNonNull(c, "breakCriteria");
      return this;
    }

    /** Reruns of a step the load generator could not drive (default 2). */
    public Builder maxReruns(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxReruns must be >= 0, was " + n);
      }
      this.maxReruns = n;
      return this;
    }

    /** Bisection stops when the failing rate is within this fraction above the passing one (default 0.05). */
    public Builder tolerance(double t) {
      if (!(t > 0) || t >= 1) {
        throw new IllegalArgumentException("tolerance must be in (0, 1), was " + t);
      }
      this.tolerance = t;
      return this;
    }

    /** Factor between successive rates above the listed ones (default 2). */
    public Builder rampFactor(double f) {
      if (!(f > 1) || Double.isInfinite(f)) {
        throw new IllegalArgumentException("rampFactor must be > 1, was " + f);
      }
      this.rampFactor = f;
      return this;
    }

    /** No step above this rate is run (default 1,000,000 rps). */
    public Builder maxRps(double max) {
      if (!(max > 0) || Double.isInfinite(max)) {
        throw new IllegalArgumentException("maxRps must be positive, was " + max);
      }
      this.maxRps = max;
      return this;
    }

    /**
     * Whether to ramp above the listed rates and bisect (default true). False runs exactly the
     * listed rates, all of them even after a failure (the CI short mode); the maximum is then the
     * highest listed rate below the first failure.
     */
    public Builder extend(boolean e) {
      this.extend = e;
      return this;
    }

    /** Measured duration of each stress step (default 30 s). */
    public Builder stressStepDuration(Duration d) {
      this.stressStepDuration = positive(d, "stressStepDuration");
      return this;
    }

    /** Warm-up of each stress step (default 5 s). */
    public Builder stressWarmup(Duration d) {
      this.stressWarmup = nonNegative(d, "stressWarmup");
      return this;
    }

    /** Factor between stress steps (default 1.25). */
    public Builder stressFactor(double f) {
      if (!(f > 1) || Double.isInfinite(f)) {
        throw new IllegalArgumentException("stressFactor must be > 1, was " + f);
      }
      this.stressFactor = f;
      return this;
    }

    /** How long the breaking rate is held before the drop in the recovery run (default 10 s). */
    public Builder overload(Duration d) {
      this.overload = positive(d, "overload");
      return this;
    }

    /** How long recovery is watched after the drop (default 30 s). */
    public Builder recovery(Duration d) {
      this.recovery = positive(d, "recovery");
      return this;
    }

    /** Timeline resolution of the recovery run (default 250 ms). */
    public Builder recoveryWindow(Duration d) {
      this.recoveryWindow = positive(d, "recoveryWindow");
      return this;
    }

    /** Told about every step as soon as it is judged (default: nothing). Runs on the caller's thread. */
    public Builder listener(Consumer<StepResult> l) {
      this.listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    /**
     * Builds the tester.
     *
     * @throws IllegalStateException when {@code overload} is not a whole number of recovery windows
     *     (the drop must fall on a window boundary)
     */
    public LoadTester build() {
      if (overload.toNanos() % recoveryWindow.toNanos() != 0) {
        throw new IllegalStateException("overload (" + overload + ") must be a multiple of recoveryWindow ("
            + recoveryWindow + ")");
      }
      return new LoadTester(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must be >= 0, was " + d);
      }
      return d;
    }
  }
}
