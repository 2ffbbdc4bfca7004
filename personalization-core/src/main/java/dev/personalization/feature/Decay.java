package dev.personalization.feature;

import java.time.Duration;

/**
 * Exponential time decay with a half-life: an event of weight {@code w} at time {@code t} counts
 * {@code w * 2^(-(now - t) / halfLife)} at {@code now}.
 *
 * <p>Sums are stored as of a reference instant and decayed lazily, which makes adding events
 * order-independent: adding a newer event first decays the sum forward, adding an older one adds
 * its contribution already decayed to the reference.
 */
public final class Decay {

  private Decay() {
  }

  /** The factor a value loses from {@code fromMillis} to {@code toMillis}: {@code 2^(-(to - from) / h)}. */
  public static double factor(long fromMillis, long toMillis, Duration halfLife) {
    return Math.pow(2.0, -(double) (toMillis - fromMillis) / halfLife.toMillis());
  }

  /**
   * Adds an event to a decayed sum.
   *
   * @param sum the sum as of {@code asOfMillis}
   * @param asOfMillis the sum's reference instant
   * @param weight the event's weight
   * @param eventMillis the event's instant
   * @return the new sum as of {@code max(asOfMillis, eventMillis)}
   */
  public static double add(double sum, long asOfMillis, double weight, long eventMillis, Duration halfLife) {
    if (eventMillis >= asOfMillis) {
      return sum * factor(asOfMillis, eventMillis, halfLife) + weight;
    }
    return sum + weight * factor(eventMillis, asOfMillis, halfLife);
  }
}
