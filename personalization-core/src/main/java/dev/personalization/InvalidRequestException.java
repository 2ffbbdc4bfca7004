package dev.personalization;

/** A {@link RecommendationRequest} field is missing or out of range; {@link #field()} names it. */
public final class InvalidRequestException extends PersonalizationException {

  private final String field;

  public InvalidRequestException(String field, String problem) {
    super("invalid request field '" + field + "': " + problem);
    this.field = field;
  }

  /** The offending field, for example {@code userId}, {@code limit} or {@code context.category_id}. */
  public String field() {
    return field;
  }
}
