package dev.personalization.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.bench.workload.WorkloadSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadTestCommandTest {

  @Test
  void theDefaultsAreTheGuides() {
    LoadTestCommand.Options o = LoadTestCommand.Options.parse(new String[0]);
    assertEquals(List.of(100.0, 500.0, 1000.0, 2000.0), o.rps);
    assertEquals(Duration.ofSeconds(300), o.stepDuration);
    assertEquals(Duration.ofSeconds(10), o.warmup);
    assertEquals(Duration.ofMillis(100), o.slo);
    assertEquals(Duration.ofMillis(1), o.maxSendLag);
    assertTrue(o.extend);
    assertFalse(o.stress);
    assertEquals(WorkloadSpec.standard(), o.workload);
  }

  @Test
  void shortModeShrinksEverythingButExplicitOptionsWin() {
    LoadTestCommand.Options o = LoadTestCommand.Options.parse(new String[] {"--step-duration", "3s", "--short"});
    assertEquals(List.of(50.0, 100.0), o.rps);
    assertEquals(Duration.ofSeconds(3), o.stepDuration, "given explicitly, before or after --short");
    assertEquals(Duration.ofSeconds(1), o.warmup);
    assertFalse(o.extend);
    assertEquals(0, o.reruns);
    assertEquals(WorkloadSpec.small(), o.workload);
  }

  @Test
  void optionsParse() {
    LoadTestCommand.Options o = LoadTestCommand.Options.parse(new String[] {"--rps", "500, 1000", "--slo", "50ms",
        "--warmup", "1.5s", "--stress-from", "4000", "--arrivals", "poisson", "--threads", "2", "--seed", "7",
        "--max-send-lag", "5ms", "--url", "http://localhost:8080/recommend"});
    assertEquals(List.of(500.0, 1000.0), o.rps);
    assertEquals(Duration.ofMillis(50), o.slo);
    assertEquals(Duration.ofMillis(1500), o.warmup);
    assertTrue(o.stress);
    assertEquals(4000.0, o.stressFrom);
    assertEquals(Arrivals.POISSON, o.arrivals);
    assertEquals(2, o.threads);
    assertEquals(7, o.workload.seed());
    assertEquals(Duration.ofMillis(5), o.maxSendLag);
    assertEquals("http://localhost:8080/recommend", o.url.toString());
    assertEquals(Duration.ofMinutes(5), LoadTestCommand.Options.duration("5m", "--x"));
    assertEquals(Duration.ofSeconds(300), LoadTestCommand.Options.duration("300", "--x"));
  }

  @Test
  void badOptionsExitWithTwoAndSayWhy() throws Exception {
    for (String[] args : List.of(new String[] {"--rps", "fast"}, new String[] {"--bogus", "1"},
        new String[] {"--engine", "nope"}, new String[] {"--slo"}, new String[] {"--warmup", "soon"})) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
      assertEquals(2, LoadTestCommand.run(args, ps, ps), String.join(" ", args));
      assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("load test: "), err.toString(StandardCharsets.UTF_8));
    }
    assertThrows(IllegalArgumentException.class, () -> LoadTestCommand.Options.parse(new String[] {"--overload", "150ms"}));
  }
}
