package dev.personalization.jdbc;

import java.sql.SQLException;
import java.time.Duration;
import org.jdbi.v3.core.Handle;

/** Limits for the store's own housekeeping transactions (migrations, partition maintenance) on PostgreSQL. */
final class Maintenance {

  /** Longest a housekeeping statement may run; the request path keeps the pool's statement timeout. */
  static final Duration TIMEOUT = Duration.ofMinutes(30);

  private Maintenance() {
  }

  /**
   * Raises the statement timeout for the current transaction only ({@code SET LOCAL}) and the
   * driver's socket timeout for this connection; HikariCP restores the network timeout when the
   * connection returns to the pool.
   */
  static void allowLongStatements(Handle h) {
    h.execute("SET LOCAL statement_timeout = " + TIMEOUT.toMillis());
    try {
      h.getConnection().setNetworkTimeout(Runnable::run, (int) TIMEOUT.plusMinutes(1).toMillis());
    } catch (SQLException | UnsupportedOperationException e) {
      // Drivers without network timeouts: the server-side limit still applies.
    }
  }
}
