package dev.personalization.jdbc;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Creates and upgrades the store's tables. Each schema version is a list of idempotent statements
 * ({@code IF NOT EXISTS}) recorded in {@code <prefix>schema_version} once applied. Concurrent
 * starts serialize: PostgreSQL on an advisory transaction lock (and its DDL is transactional, so a
 * version applies whole or not at all); H2, which commits DDL at once, re-runs a half-applied
 * version harmlessly because every statement is idempotent.
 */
final class SchemaMigrator {

  /** The schema version this library writes and reads. */
  static final int CURRENT_VERSION = 1;

  private static final Object H2_LOCK = new Object();

  private SchemaMigrator() {
  }

  /**
   * Brings the schema to {@link #CURRENT_VERSION}.
   *
   * @return the version found before migrating (0: empty database)
   * @throws IllegalStateException when the database holds a newer schema than this library knows
   */
  static int migrate(Jdbi jdbi, Dialect dialect, Tables tables) {
    if (dialect == Dialect.H2) {
      synchronized (H2_LOCK) {
        return jdbi.inTransaction(h -> apply(h, dialect, tables));
      }
    }
    return jdbi.inTransaction(h -> {
      // DDL may wait for locks held by running transactions of other instances.
      Maintenance.allowLongStatements(h);
      h.createQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(?))) l")
          .bind(0, "personalization:migrate:" + tables.prefix()).mapTo(Integer.class).one();
      return apply(h, dialect, tables);
    });
  }

  private static int apply(Handle h, Dialect dialect, Tables tables) {
    h.execute("CREATE TABLE IF NOT EXISTS " + tables.schemaVersion() + " (version INTEGER PRIMARY KEY,"
        + " description VARCHAR(200) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL)");
    int found = h.createQuery("SELECT COALESCE(MAX(version), 0) FROM " + tables.schemaVersion()).mapTo(Integer.class).one();
    if (found > CURRENT_VERSION) {
      throw new IllegalStateException("the database holds store schema version " + found + " (table " + tables.schemaVersion()
          + "), newer than this library's " + CURRENT_VERSION + ": upgrade the library, or use another tablePrefix");
    }
    for (int v = found + 1; v <= CURRENT_VERSION; v++) {
      for (String statement : statements(v, dialect, tables)) {
        h.execute(statement);
      }
      h.createUpdate("INSERT INTO " + tables.schemaVersion() + " (version, description) VALUES (?, ?)")
          .bind(0, v).bind(1, description(v)).execute();
    }
    return found;
  }

  private static List<String> statements(int version, Dialect dialect, Tables tables) {
    switch (version) {
      case 1:
        return dialect.migration1(tables);
      default:
        throw new IllegalArgumentException("no migration to version " + version);
    }
  }

  private static String description(int version) {
    return version == 1 ? "feature tables, event id table, event log" : "version " + version;
  }
}
