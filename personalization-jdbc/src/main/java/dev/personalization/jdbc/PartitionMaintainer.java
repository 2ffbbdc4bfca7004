package dev.personalization.jdbc;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;

/**
 * Keeps the PostgreSQL event table's monthly partitions (UTC months) ahead of time.
 *
 * <p>One run, under an advisory lock so that instances do not race: creates the partitions of the
 * current month and the next {@code monthsAhead}, and of every earlier month that has events in
 * the default partition. A partition is created detached, the default partition's events of its
 * month are moved into it, and it is attached; all in one transaction, so an event is always in
 * exactly one place and an insert never fails for want of a partition: whatever has no partition
 * lands in the default partition.
 */
final class PartitionMaintainer {

  private final Tables tables;
  private final int monthsAhead;

  PartitionMaintainer(Tables tables, int monthsAhead) {
    this.tables = tables;
    this.monthsAhead = monthsAhead;
  }

  PartitionMaintenance run(Jdbi jdbi, YearMonth current) {
    return jdbi.inTransaction(h -> {
      // Moving a large default partition may outlast the statement timeout meant for the request path.
      Maintenance.allowLongStatements(h);
      h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(?))) l")
          .bind(0, "personalization:partitions:" + tables.prefix()).mapTo(Integer.class).one();
      Set<String> existing = new HashSet<>(h.createQuery("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
          + " WHERE i.inhparent = to_regclass(?)").bind(0, tables.events()).mapTo(String.class).list());
      YearMonth last = current.plusMonths(monthsAhead);
      TreeSet<YearMonth> wanted = new TreeSet<>();
      for (YearMonth m = current; !m.isAfter(last); m = m.plusMonths(1)) {
        wanted.add(m);
      }
      for (LocalDateTime month : h.createQuery("SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') FROM "
          + tables.eventsDefault()).mapTo(LocalDateTime.class).list()) {
        YearMonth m = YearMonth.from(month);
        if (!m.isAfter(last)) {
          wanted.add(m);
        }
      }
      List<String> created = new ArrayList<>();
      long moved = 0;
      for (YearMonth m : wanted) {
        String name = tables.eventsPartition(m.getYear(), m.getMonthValue());
        if (!existing.contains(name)) {
          moved += create(h, name, m);
          created.add(name);
        }
      }
      long left = h.createQuery("SELECT count(*) FROM " + tables.eventsDefault()).mapTo(Long.class).one();
      return new PartitionMaintenance(created, moved, left);
    });
  }

  private long create(Handle h, String name, YearMonth month) {
    OffsetDateTime from = month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    OffsetDateTime to = month.plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
    // DDL takes no bind parameters: the bounds are rendered from a YearMonth, never from input.
    String bounds = "FROM ('" + literal(from) + "') TO ('" + literal(to) + "')";
    h.execute("CREATE TABLE " + name + " (LIKE " + tables.events() + " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)");
    int moved = h.createUpdate("WITH moved AS (DELETE FROM " + tables.eventsDefault() + " WHERE occurred_at >= ? AND occurred_at < ?"
        + " RETURNING *) INSERT INTO " + name + " SELECT * FROM moved")
        .bind(0, (Argument) (p, s, c) -> s.setObject(p, from)).bind(1, (Argument) (p, s, c) -> s.setObject(p, to)).execute();
    h.execute("ALTER TABLE " + tables.events() + " ATTACH PARTITION " + name + " FOR VALUES " + bounds);
    return moved;
  }

  private static String literal(OffsetDateTime t) {
    return String.format("%04d-%02d-%02d 00:00:00+00", t.getYear(), t.getMonthValue(), t.getDayOfMonth());
  }
}
