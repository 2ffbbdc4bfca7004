package dev.personalization;

/**
 * An {@link Event} was rejected by {@code ingest}; {@link #eventId()} and {@link #field()} say which
 * and why. The rest of the batch is still applied: these come back in {@link IngestResult#rejected()}.
 */
public final class InvalidEventException extends PersonalizationException {

  private final String eventId;
  private final String field;

  public InvalidEventException(String eventId, String field, String problem) {
    super("event '" + eventId + "' rejected, field '" + field + "': " + problem);
    this.eventId = eventId;
    this.field = field;
  }

  /** The event's id, or {@code "<index N>"} when the id itself is missing. */
  public String eventId() {
    return eventId;
  }

  /** The offending field, for example {@code timestamp} or {@code weight}. */
  public String field() {
    return field;
  }
}
