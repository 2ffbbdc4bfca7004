package dev.personalization.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class P99BudgetBenchmarkTest {

  @Test
  void theBudgetSumsTheStagesAndNotTheEndToEndRun() {
    Map<String, Double> p99 = new LinkedHashMap<>();
    for (String stage : P99BudgetBenchmark.STAGES) {
      p99.put(stage, 100.0);
    }
    p99.put("x_recommendEndToEnd", 500.0);
    String table = P99BudgetBenchmark.budget(p99);
    assertTrue(table.matches("(?s).*sum of stage P99s +700.00  = 0.700% of the 100 ms budget.*"), table);
    assertTrue(table.matches("(?s).*recommend end to end +500.00  = 0.500% of the budget.*"), table);
    assertTrue(table.contains("not yet in the budget"), table);
  }
}
