package dev.personalization;

import java.time.Instant;

/**
 * Something a user did with an item: the input of {@code ingest}. Components may be {@code null}
 * here; {@code ingest} rejects such events with an {@link InvalidEventException} naming the field,
 * so that one bad event never costs the rest of its batch.
 *
 * @param id unique id; ingesting the same id twice changes nothing the second time
 * @param userId who acted
 * @param itemId on what
 * @param type one of the engine's event types ({@code view}, {@code click}, {@code add_to_cart},
 *     {@code purchase} by default)
 * @param timestamp when it happened; not more than the engine's allowed clock skew in the future
 * @param weight how much it counts, finite and {@code >= 0}; 1 for an ordinary event
 * @param category the item's category, or {@code null} to take it from the catalog
 * @param scenario where it happened ({@code homepage}, {@code search}, ...), or {@code null}
 */
public record Event(
    String id, String userId, String itemId, String type, Instant timestamp, double weight, String category, String scenario) {

  /** An event of weight 1 with no category or scenario. */
  public static Event of(String id, String userId, String itemId, String type, Instant timestamp) {
    return new Event(id, userId, itemId, type, timestamp, 1.0, null, null);
  }

  /** This event with a category. */
  public Event withCategory(String newCategory) {
    return new Event(id, userId, itemId, type, timestamp, weight, newCategory, scenario);
  }

  /** This event with a scenario. */
  public Event withScenario(String newScenario) {
    return new Event(id, userId, itemId, type, timestamp, weight, category, newScenario);
  }

  /** This event with a weight. */
  public Event withWeight(double newWeight) {
    return new Event(id, userId, itemId, type, timestamp, newWeight, category, scenario);
  }
}
