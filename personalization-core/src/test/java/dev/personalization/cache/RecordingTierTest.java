package dev.personalization.cache;

/**
 * Runs the contract suite against the in-memory {@link RecordingTier}, which keeps the suite itself
 * honest: a reference implementation must pass it in the module that defines it.
 */
class RecordingTierTest extends CacheTierContract {

  @Override
  protected CacheTier createTier() {
    return new RecordingTier("recording", true);
  }
}
