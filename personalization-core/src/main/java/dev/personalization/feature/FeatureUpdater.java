package dev.personalization.feature;

import dev.personalization.Event;
import java.util.List;

/**
 * Maintains one user feature group incrementally from events: a pure function
 * {@code (existing, events) -> updated} that changes only what the events touch.
 *
 * <p>The engine calls it once per user and batch with that user's new events sorted by timestamp,
 * then stores the result with compare-and-set (re-running it on a lost race), so it must be free of
 * side effects and deterministic. An updater that throws is contained: the batch's other updaters
 * and users are still applied. Built-ins live in {@link FeatureUpdaters}.
 */
public interface FeatureUpdater {

  /** The group this updater maintains; its entity is {@code user}. */
  FeatureSchema schema();

  /** Whether {@code event} changes this group; the default says every event does. */
  default boolean touches(Event event) {
    return true;
  }

  /**
   * Computes the updated vector.
   *
   * @param existing the stored vector, or {@code null} for a user without one
   * @param events the user's new events that {@link #touches} accepted, oldest first, never empty
   * @param newVersion the version the result must carry
   */
  FeatureVector apply(FeatureVector existing, List<Event> events, long newVersion);
}
