package dev.personalization.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command's short mode against the real in-process engine, exactly as CI runs it: so the load
 * tester cannot rot. About 10 seconds. It checks that the run completes and its bookkeeping is
 * consistent; it does not gate on latency or throughput, which depend on the machine.
 */
class LoadTesterShortRunTest {

  @Test
  @SuppressWarnings("unchecked")
  void theShortModeRunsTheRealEngineAndWritesConsistentReports(@TempDir Path dir) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = LoadTestCommand.run(new String[] {"--short", "--out", dir.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String console = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8) + console);

    Path json = dir.resolve("report.json");
    Path html = dir.resolve("report.html");
    assertTrue(Files.size(json) > 0 && Files.size(html) > 0, console);
    assertTrue(Files.readString(html).contains("<svg"));

    Map<String, Object> root = (Map<String, Object>) StrictJson.parse(Files.readString(json));
    List<Object> steps = (List<Object>) ((Map<String, Object>) root.get("load_test")).get("steps");
    assertEquals(2, steps.size(), "short mode runs its two rates once each: " + console);
    double[] rates = {50, 100};
    for (int i = 0; i < steps.size(); i++) {
      Map<String, Object> s = (Map<String, Object>) steps.get(i);
      double scheduled = (Double) s.get("scheduled");
      assertEquals(rates[i], (Double) s.get("target_rps"));
      assertEquals(rates[i] * 2, scheduled, 1, "a 2 s step at the target rate: " + s);
      assertEquals(scheduled, (Double) s.get("completed") + (Double) s.get("errors"), "scheduled = completed + errors");
      assertTrue((Double) s.get("rejected") + (Double) s.get("timed_out") <= (Double) s.get("errors"));
      Map<String, Object> cache = (Map<String, Object>) s.get("cache");
      assertTrue(cache.containsKey("l1") && cache.containsKey("loader"), "per-tier counts from the engine: " + cache);
      assertTrue((Double) s.get("cpu") > 0, "process CPU is measured");
      assertTrue((Double) s.get("heap") > 0, "heap is measured");
      assertTrue(List.of("pass", "fail", "invalid").contains(s.get("verdict")));
    }
  }
}
