package dev.personalization.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The three report writers, over a load test and a stress test of a simulated target. */
class ReportTest {

  private static LoadReport report;

  @BeforeAll
  static void runSimulatedTests() throws InterruptedException {
    VirtualClock clock = new VirtualClock();
    QueueTarget target = new QueueTarget(clock, 3000, Integer.MAX_VALUE);
    Workload requests = sender -> () -> new LoadRequest("u1", Scenario.HOMEPAGE, 20, null, null, null, List.of());
    LoadTester t = LoadTester.builder(OpenLoopRunner.builder(target, requests).clock(clock).build())
        .stepDuration(Duration.ofSeconds(5)).warmup(Duration.ofSeconds(1))
        .stressStepDuration(Duration.ofSeconds(5)).stressWarmup(Duration.ZERO)
        .overload(Duration.ofSeconds(2)).recovery(Duration.ofSeconds(4)).build();
    SearchResult search = t.findMaxSustainable(List.of(100.0, 1000.0, 2000.0));
    StressResult stress = t.stress(search.maxSustainableRps(), search.maxSustainableRps() / 2);
    report = new LoadReport(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofSeconds(42),
        "simulated <queue> & \"friends\" at http://example.invalid/recommend", LoadReport.thisEnvironment(),
        Map.of("rates", "[100, 1000, 2000]"), t.criteria(), t.breakCriteria(), search, stress);
  }

  @Test
  void theHtmlIsSelfContained() {
    String html = HtmlReport.render(report);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<svg"), "has charts");
    assertTrue(html.contains("<polyline"), "charts have lines");
    // Nothing to fetch: no scripts, stylesheets, images, frames, fonts or imports.
    for (String banned : List.of("<script", "<link", "<img", "<iframe", "<object", "<embed", "@import", "url(",
        "src=", "href=", "xlink:")) {
      assertFalse(html.toLowerCase().contains(banned), "contains " + banned);
    }
    // "http" only where the target's own description is shown as text, escaped.
    Matcher m = Pattern.compile("http").matcher(html);
    int hits = 0;
    while (m.find()) {
      hits++;
      String around = html.substring(Math.max(0, m.start() - 40), m.start());
      assertFalse(around.contains("=\""), "http inside an attribute: " + around);
    }
    assertTrue(hits >= 1, "the target URL is shown");
    assertTrue(html.contains("simulated &lt;queue&gt; &amp; &quot;friends&quot;"), "text is escaped");
    assertTrue(html.contains("SLO 100 ms") && html.contains("guide 80%") && html.contains("guide CPU 70%"),
        "the guide's targets are drawn");
    assertTrue(html.contains("Recovery after overload"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theJsonParsesBackToTheSameFigures() {
    String json = JsonReport.toJson(report);
    Map<String, Object> root = (Map<String, Object>) StrictJson.parse(json);
    Map<String, Object> load = (Map<String, Object>) root.get("load_test");
    assertEquals(report.search().maxSustainableRps(), (Double) load.get("max_sustainable_rps"));
    List<Object> steps = (List<Object>) load.get("steps");
    assertEquals(report.search().steps().size(), steps.size());
    Map<String, Object> first = (Map<String, Object>) steps.get(0);
    StepResult s = report.search().steps().get(0);
    assertEquals((double) s.scheduled(), first.get("scheduled"));
    assertEquals((double) s.completed() + s.errors(), (Double) first.get("completed") + (Double) first.get("errors"));
    assertEquals(s.latency().p99(), (Double) ((Map<String, Object>) first.get("latency_ms")).get("p99"), 1e-6);
    assertNull(first.get("generator_cpu"), "NaN (not measured) is written as null");
    assertEquals("pass", first.get("verdict"));
    Map<String, Object> stress = (Map<String, Object>) root.get("stress_test");
    assertEquals(report.stress().breakingRps(), (Double) stress.get("breaking_rps"));
    assertTrue(((List<Object>) ((Map<String, Object>) stress.get("recovery_run")).get("timeline")).size() > 10);
    assertEquals("simulated <queue> & \"friends\" at http://example.invalid/recommend", root.get("target"));
  }

  @Test
  void theStrictParserRejectsWhatJsonDoesNotAllow() {
    assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"a\": NaN}"));
    assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("[1,]"));
    assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("{\"a\": 1} x"));
    assertThrows(IllegalArgumentException.class, () -> StrictJson.parse("01"));
  }

  @Test
  void jsonNumbersAndStringsAreWrittenExactly() {
    assertEquals("[\n  1,\n  0.5,\n  0.000123457,\n  null,\n  \"a\\\"b\\\\c\\n\\u0001\"\n]\n",
        Json.write(List.of(1.0, 0.5, 0.0001234567, Double.NaN, "a\"b\\c\n\u0001")));
  }

  @Test
  void theConsoleTableHasARowPerStep() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleReport.print(report, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);
    int rows = 0;
    for (String line : text.split("\n")) {
      if (line.matches("^(step|bisect|stress)\\S*\\s+\\d.*")) {
        rows++;
      }
    }
    assertEquals(report.allSteps().size(), rows, text);
    assertTrue(text.contains("max sustainable rps: "), text);
  }
}
