package dev.personalization.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One PostgreSQL server shared by the integration tests of this JVM that do not stop servers; each
 * test isolates itself with its own table prefix. Stopped and deleted when the JVM exits.
 */
final class SharedPostgres {

  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static PostgresServer server;

  private SharedPostgres() {
  }

  static synchronized PostgresServer server() {
    if (server == null) {
      server = PostgresServer.startPrimary("shared", PostgresServer.testSettings());
      PostgresServer s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "postgres-shutdown"));
    }
    return server;
  }

  /** A table prefix no other test uses. */
  static String freshPrefix() {
    return "t" + PREFIXES.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 1_000_000, 36) + "_";
  }

  static DataSource unpooled(PostgresServer server) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(server.jdbcUrl());
    ds.setUser("postgres");
    return ds;
  }
}
