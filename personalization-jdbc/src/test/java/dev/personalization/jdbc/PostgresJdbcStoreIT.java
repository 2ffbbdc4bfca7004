package dev.personalization.jdbc;

import javax.sql.DataSource;

/** The JDBC-specific suite on a real PostgreSQL ({@code = ANY(?)}, ON CONFLICT, server-side statement timeout). */
class PostgresJdbcStoreIT extends JdbcStoreSuite {

  @Override
  JdbcFeatureStore.Builder freshStore() {
    return JdbcFeatureStore.builder().tablePrefix(SharedPostgres.freshPrefix()).partitionMonthsAhead(0);
  }

  @Override
  DataSource unpooledDataSource() {
    return SharedPostgres.unpooled(SharedPostgres.server());
  }

  @Override
  String longRunningQuery() {
    return "SELECT count(*) FROM (SELECT pg_sleep(30)) s";
  }
}
