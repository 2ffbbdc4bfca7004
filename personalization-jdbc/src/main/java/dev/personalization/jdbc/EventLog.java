package dev.personalization.jdbc;

import dev.personalization.Event;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Appends events idempotently: an event id recorded once is never appended again. The id goes to
 * the event id table (unique across all partitions), the event itself to the event table; both in
 * the caller's transaction.
 */
final class EventLog {

  /** Events per statement on PostgreSQL; larger batches run several statements in one transaction. */
  static final int CHUNK = 5_000;

  private final Dialect dialect;
  private final Tables tables;

  EventLog(Dialect dialect, Tables tables) {
    this.dialect = dialect;
    this.tables = tables;
  }

  /**
   * Appends {@code events} (unique ids, validated) in the handle's transaction.
   *
   * @return the ids that were new
   */
  Set<String> append(Handle h, List<Event> events) {
    Set<String> fresh = new HashSet<>();
    for (int from = 0; from < events.size(); from += CHUNK) {
      List<Event> chunk = events.subList(from, Math.min(events.size(), from + CHUNK));
      if (dialect == Dialect.POSTGRESQL) {
        appendPostgres(h, chunk, fresh);
      } else {
        appendH2(h, chunk, fresh);
      }
    }
    return fresh;
  }

  private void appendPostgres(Handle h, List<Event> events, Set<String> fresh) {
    int n = events.size();
    String[] ids = new String[n];
    String[] users = new String[n];
    String[] items = new String[n];
    String[] types = new String[n];
    Long[] micros = new Long[n];
    Double[] weights = new Double[n];
    String[] categories = new String[n];
    String[] scenarios = new String[n];
    for (int i = 0; i < n; i++) {
      Event e = events.get(i);
      ids[i] = e.id();
      users[i] = e.userId();
      items[i] = e.itemId();
      types[i] = e.type();
      micros[i] = ChronoUnit.MICROS.between(Instant.EPOCH, e.timestamp());
      weights[i] = e.weight();
      categories[i] = e.category();
      scenarios[i] = e.scenario();
    }
    // One statement: new ids (in id order, so that concurrent appenders lock in the same order),
    // then the events whose ids were new. Data-modifying CTEs always run to completion.
    String at = "TIMESTAMPTZ 'epoch' + i.micros * INTERVAL '1 microsecond'";
    String sql = "WITH i AS (SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::bigint[],"
        + " ?::float8[], ?::varchar[], ?::varchar[]) AS u(event_id, user_id, item_id, type, micros, weight, category, scenario)),"
        + " fresh AS (INSERT INTO " + tables.eventIds() + " (event_id, occurred_at) SELECT i.event_id, " + at
        + " FROM i ORDER BY i.event_id ON CONFLICT (event_id) DO NOTHING RETURNING event_id),"
        + " logged AS (INSERT INTO " + tables.events() + " (event_id, user_id, item_id, type, occurred_at, weight, category, scenario)"
        + " SELECT i.event_id, i.user_id, i.item_id, i.type, " + at + ", i.weight, i.category, i.scenario"
        + " FROM i JOIN fresh f ON f.event_id = i.event_id RETURNING 1)"
        + " SELECT event_id FROM fresh";
    fresh.addAll(h.createQuery(sql)
        .bind(0, new SqlArray("varchar", ids))
        .bind(1, new SqlArray("varchar", users))
        .bind(2, new SqlArray("varchar", items))
        .bind(3, new SqlArray("varchar", types))
        .bind(4, new SqlArray("bigint", micros))
        .bind(5, new SqlArray("float8", weights))
        .bind(6, new SqlArray("varchar", categories))
        .bind(7, new SqlArray("varchar", scenarios))
        .mapTo(String.class).list());
  }

  private void appendH2(Handle h, List<Event> events, Set<String> fresh) {
    PreparedBatch ids = h.prepareBatch("MERGE INTO " + tables.eventIds() + " t USING (VALUES (CAST(? AS VARCHAR(256)),"
        + " CAST(? AS TIMESTAMP WITH TIME ZONE))) s(event_id, occurred_at) ON t.event_id = s.event_id"
        + " WHEN NOT MATCHED THEN INSERT (event_id, occurred_at) VALUES (s.event_id, s.occurred_at)");
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort((a, b) -> a.id().compareTo(b.id()));
    for (Event e : sorted) {
      ids.bind(0, e.id()).bind(1, timestamp(e.timestamp())).add();
    }
    int[] counts = ids.execute();
    PreparedBatch log = h.prepareBatch("INSERT INTO " + tables.events()
        + " (event_id, user_id, item_id, type, occurred_at, weight, category, scenario) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    boolean any = false;
    for (int i = 0; i < sorted.size(); i++) {
      if (counts[i] > 0) {
        Event e = sorted.get(i);
        fresh.add(e.id());
        log.bind(0, e.id()).bind(1, e.userId()).bind(2, e.itemId()).bind(3, e.type()).bind(4, timestamp(e.timestamp()))
            .bind(5, e.weight()).bind(6, nullableText(e.category())).bind(7, nullableText(e.scenario())).add();
        any = true;
      }
    }
    if (any) {
      log.execute();
    }
  }

  private static Argument timestamp(Instant instant) {
    OffsetDateTime t = OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    return (position, statement, ctx) -> statement.setObject(position, t, Types.TIMESTAMP_WITH_TIMEZONE);
  }

  private static Argument nullableText(String value) {
    return (position, statement, ctx) -> {
      if (value == null) {
        statement.setNull(position, Types.VARCHAR);
      } else {
        statement.setString(position, value);
      }
    };
  }
}
