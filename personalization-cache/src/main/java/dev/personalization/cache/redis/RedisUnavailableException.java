package dev.personalization.cache.redis;

import dev.personalization.PersonalizationException;

/**
 * A Redis call was skipped because the tier is not connected or its circuit breaker is open. Never
 * reaches an engine caller: lookups treat it as a miss, writes count it.
 */
public final class RedisUnavailableException extends PersonalizationException {

  private final String tier;

  public RedisUnavailableException(String tier, String reason) {
    super("redis tier '" + tier + "' skipped the call: " + reason);
    this.tier = tier;
  }

  /** The name of the tier that skipped the call. */
  public String tier() {
    return tier;
  }
}
