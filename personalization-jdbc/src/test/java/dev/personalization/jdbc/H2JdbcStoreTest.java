package dev.personalization.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;

/** The JDBC-specific suite on H2 (bounded IN-lists, MERGE, no WAL positions). */
class H2JdbcStoreTest extends JdbcStoreSuite {

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private String url;

  @BeforeEach
  void newDatabase() {
    url = "jdbc:h2:mem:suite-" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
  }

  @Override
  JdbcFeatureStore.Builder freshStore() {
    return JdbcFeatureStore.builder();
  }

  @Override
  DataSource unpooledDataSource() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL(url);
    return ds;
  }

  @Override
  String longRunningQuery() {
    return "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 10000000000) a WHERE MOD(a.X, 7) = 3";
  }
}
