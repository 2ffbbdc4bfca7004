package dev.personalization.jdbc;

import dev.personalization.PersonalizationException;

/**
 * A statement of the JDBC store failed for a reason other than an unreachable database: a
 * statement timeout, a constraint, a schema that does not match. Names the endpoint; the JDBC
 * exception is the cause.
 */
public class JdbcStoreException extends PersonalizationException {

  private final String endpoint;

  public JdbcStoreException(String endpoint, String message, Throwable cause) {
    super(message, cause);
    this.endpoint = endpoint;
  }

  /** The endpoint the statement ran on: {@code primary} or {@code replica-N}. */
  public String endpoint() {
    return endpoint;
  }
}
