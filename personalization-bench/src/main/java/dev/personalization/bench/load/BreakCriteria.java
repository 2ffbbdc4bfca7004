package dev.personalization.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * When the stress test considers the target broken: achieved rate below {@code minAchieved} of the
 * target (90%), errors above {@code maxErrorRate} (1%), or P99 above {@code sloMultiple} × the SLO
 * (10×). Immutable.
 */
public record BreakCriteria(Duration slo, double minAchieved, double maxErrorRate, double sloMultiple) {

  public BreakCriteria {
    Objects.requireNonNull(slo, "slo");
  }

  /** The thresholds for {@code slo}. */
  public static BreakCriteria withSlo(Duration slo) {
    return new BreakCriteria(slo, 0.90, 0.01, 10);
  }

  /** Why {@code r} counts as broken; empty when it does not. */
  public List<String> reasons(StepResult r) {
    List<String> out = new ArrayList<>();
    if (r.achievedRps() < minAchieved * r.targetRps()) {
      out.add(String.format(Locale.ROOT, "achieved %.1f rps < %.0f%% of %.1f", r.achievedRps(), minAchieved * 100,
          r.targetRps()));
    }
    if (r.errorRate() > maxErrorRate) {
      out.add(String.format(Locale.ROOT, "errors %.2f%% > %.1f%%", r.errorRate() * 100, maxErrorRate * 100));
    }
    double limit = PassCriteria.millis(slo) * sloMultiple;
    if (r.latency().count() == 0 || r.latency().p99() > limit) {
      out.add(String.format(Locale.ROOT, "P99 %.1f ms > %.0f x SLO", r.latency().p99(), sloMultiple));
    }
    return out;
  }

  /** Whether {@code r} counts as broken. */
  public boolean breaks(StepResult r) {
    return !reasons(r).isEmpty();
  }
}
