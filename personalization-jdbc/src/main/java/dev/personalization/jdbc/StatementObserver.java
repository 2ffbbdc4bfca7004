package dev.personalization.jdbc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Times every statement of one endpoint, counts them, and logs and counts those slower than the
 * threshold with their SQL shape (placeholders, never values) and duration.
 *
 * <p>Meters, tagged {@code endpoint}: {@code personalization.jdbc.statements} (timer),
 * {@code personalization.jdbc.statements.slow} and {@code personalization.jdbc.statements.failed}
 * (counters).
 */
final class StatementObserver implements SqlLogger {

  private static final System.Logger LOG = System.getLogger("dev.personalization.jdbc.SlowQueryLog");
  private static final Pattern PLACEHOLDER_RUN = Pattern.compile("\\?(\\s*,\\s*\\?)+");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final int MAX_SHAPE_LENGTH = 400;

  private final String endpoint;
  private final long slowNanos;
  private final Timer statements;
  private final Counter slow;
  private final Counter failed;

  StatementObserver(String endpoint, Duration slowThreshold, MeterRegistry registry) {
    this.endpoint = endpoint;
    this.slowNanos = slowThreshold.toNanos();
    this.statements = Timer.builder("personalization.jdbc.statements").description("Statements executed, with their durations")
        .tag("endpoint", endpoint).register(registry);
    this.slow = Counter.builder("personalization.jdbc.statements.slow").description("Statements slower than the slow-query threshold")
        .tag("endpoint", endpoint).register(registry);
    this.failed = Counter.builder("personalization.jdbc.statements.failed").description("Statements that threw")
        .tag("endpoint", endpoint).register(registry);
  }

  @Override
  public void logAfterExecution(StatementContext context) {
    observe(context, context.getCompletionMoment());
  }

  @Override
  public void logException(StatementContext context, SQLException ex) {
    failed.increment();
    observe(context, context.getExceptionMoment());
  }

  private void observe(StatementContext context, Instant end) {
    Instant start = context.getExecutionMoment();
    if (start == null || end == null) {
      return;
    }
    long nanos = Duration.between(start, end).toNanos();
    statements.record(nanos, TimeUnit.NANOSECONDS);
    if (nanos >= slowNanos) {
      slow.increment();
      if (LOG.isLoggable(System.Logger.Level.WARNING)) {
        LOG.log(System.Logger.Level.WARNING, "slow statement on " + endpoint + ": " + (nanos / 1_000_000) + " ms: "
            + shape(context.getRenderedSql()));
      }
    }
  }

  /** The SQL with whitespace collapsed, runs of placeholders shortened, and length bounded. */
  static String shape(String sql) {
    if (sql == null) {
      return "<unknown>";
    }
    String s = WHITESPACE.matcher(sql.trim()).replaceAll(" ");
    s = PLACEHOLDER_RUN.matcher(s).replaceAll("?, ...");
    return s.length() <= MAX_SHAPE_LENGTH ? s : s.substring(0, MAX_SHAPE_LENGTH) + "...";
  }
}
