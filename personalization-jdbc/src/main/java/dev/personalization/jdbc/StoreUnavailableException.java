package dev.personalization.jdbc;

/**
 * The database could not be reached: no connection within the pool's connection timeout, or the
 * connection broke. For a write this means nothing of the call was committed (or, for a connection
 * lost during the commit itself, that the outcome is unknown; the message says which), so the
 * caller may retry: the event log is idempotent.
 */
public final class StoreUnavailableException extends JdbcStoreException {

  public StoreUnavailableException(String endpoint, String message, Throwable cause) {
    super(endpoint, message, cause);
  }
}
