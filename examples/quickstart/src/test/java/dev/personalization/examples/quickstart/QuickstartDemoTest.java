package dev.personalization.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.feature.FeatureStore;
import dev.personalization.jdbc.JdbcFeatureStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Runs the quickstart at a tiny scale so that the demo cannot rot unnoticed. */
class QuickstartDemoTest {

  private static final DemoScale TINY =
      new DemoScale(500, 10, 1_000, 5_000, 500, 2, 2_000, 200, 2, 500, Duration.ofMillis(500), 7L);

  @Test
  void tinyRunServesEveryCallWithoutErrors() {
    DemoReport report = new QuickstartDemo(TINY).run(QuickstartDemo.silent());

    assertEquals(5_000, report.setup().eventsApplied());
    assertEquals(2_000, report.serving().calls());
    assertEquals(0, report.errors(), () -> "first error: " + report.serving().firstError());
    assertTrue(report.serving().empty() < report.serving().calls(), "some answers must carry items");
    assertFalse(report.sample().items().isEmpty(), "the sample user must get recommendations");
    assertTrue(report.l1HitRate() > 0, "the L1 tier must serve some lookups");
    assertTrue(report.paced() != null && report.paced().calls() > 0, "the paced phase must run");
  }

  @Test
  void reportPrintsEveryTargetRow() {
    DemoReport report = new QuickstartDemo(TINY).run(QuickstartDemo.silent());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    report.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String text = bytes.toString(StandardCharsets.UTF_8);

    for (String metric : new String[] {"Latency P99", "Throughput", "Cache hit rate, tier l1", "Error rate", "CPU",
        "Heap used / max", "Sample: homepage for"}) {
      assertTrue(text.contains(metric), () -> "missing '" + metric + "' in:\n" + text);
    }
  }

  @Test
  void storeIsEmbeddedH2ByDefaultAndMemoryOnRequest() {
    String before = System.getProperty(QuickstartDemo.STORE_PROPERTY);
    try {
      System.clearProperty(QuickstartDemo.STORE_PROPERTY);
      try (FeatureStore store = QuickstartDemo.store()) {
        assertTrue(store instanceof JdbcFeatureStore, () -> "default store: " + store);
      }
      System.setProperty(QuickstartDemo.STORE_PROPERTY, "memory");
      try (FeatureStore store = QuickstartDemo.store()) {
        assertFalse(store instanceof JdbcFeatureStore, () -> "memory store: " + store);
      }
      System.setProperty(QuickstartDemo.STORE_PROPERTY, "redis");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, QuickstartDemo::store);
      assertTrue(e.getMessage().contains("'redis'"), e.getMessage());
    } finally {
      if (before == null) {
        System.clearProperty(QuickstartDemo.STORE_PROPERTY);
      } else {
        System.setProperty(QuickstartDemo.STORE_PROPERTY, before);
      }
    }
  }

  @Test
  void sameSeedBuildsTheSameShopAndEvents() {
    SyntheticShop a = SyntheticShop.generate(TINY);
    SyntheticShop b = SyntheticShop.generate(TINY);
    assertEquals(a.items(), b.items());
    java.time.Instant to = java.time.Instant.parse("2025-01-01T00:00:00Z");
    java.time.Instant from = to.minus(Duration.ofDays(3));
    Random ra = new Random(1);
    Random rb = new Random(1);
    for (int n = 0; n < 100; n++) {
      assertEquals(a.event(n, 100, from, to, ra), b.event(n, 100, from, to, rb));
    }
  }

  @Test
  void zipfSamplerFavoursLowRanks() {
    ZipfSampler zipf = new ZipfSampler(1_000, 1.1);
    Random random = new Random(3);
    int[] counts = new int[1_000];
    for (int i = 0; i < 100_000; i++) {
      counts[zipf.sample(random)]++;
    }
    assertTrue(counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[999],
        "counts must fall with rank: " + counts[0] + ", " + counts[1] + ", " + counts[9] + ", " + counts[999]);
    assertEquals(zipf.probability(0) * 100_000, counts[0], 0.05 * 100_000 * zipf.probability(0));
  }

  @Test
  void percentileIsNearestRank() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertEquals(5, PhaseResult.percentile(sorted, 0.50));
    assertEquals(10, PhaseResult.percentile(sorted, 0.99));
    assertEquals(1, PhaseResult.percentile(sorted, 0.0));
    assertEquals(0, PhaseResult.percentile(new long[0], 0.99));
  }
}
