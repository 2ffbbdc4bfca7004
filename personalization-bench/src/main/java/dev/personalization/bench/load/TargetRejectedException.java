package dev.personalization.bench.load;

/** A target shed a request under load (HTTP 429 or 503): counted as a rejected error. */
public final class TargetRejectedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  /** A rejection with HTTP status {@code status}. */
  public TargetRejectedException(int status) {
    super("rejected with HTTP " + status);
    this.status = status;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
