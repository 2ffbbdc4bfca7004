package dev.personalization.bench.workload;

/**
 * The shape of a {@link SyntheticWorkload}. Immutable.
 *
 * @param users number of users, {@code >= 1}; user {@code u0} is the most active
 * @param items number of catalog items, {@code >= 1}
 * @param categories number of categories, {@code 1 … items}
 * @param userSkew Zipf exponent of user activity, both in seed events and in requests
 * @param itemSkew Zipf exponent of item popularity
 * @param seedEvents events ingested before the load starts; at least one per user, so that every
 *     user has features (the rest are Zipf-distributed over users)
 * @param searchCandidates host candidates a search request carries (search results to re-rank)
 * @param homepageWeight relative share of homepage requests
 * @param searchWeight relative share of search requests
 * @param categoryWeight relative share of category requests
 * @param seed the random seed; the same seed gives the same catalog, events and requests
 */
public record WorkloadSpec(
    int users, int items, int categories, double userSkew, double itemSkew, int seedEvents, int searchCandidates,
    double homepageWeight, double searchWeight, double categoryWeight, long seed) {

  /** Users of {@link #standard()}. */
  public static final int STANDARD_USERS = 100_000;
  /** Items of {@link #standard()}. */
  public static final int STANDARD_ITEMS = 10_000;

  public WorkloadSpec {
    positive(users, "users");
    positive(items, "items");
    if (categories < 1 || categories > items) {
      throw new IllegalArgumentException("categories must be in [1, items=" + items + "], was " + categories);
    }
    nonNegative(userSkew, "userSkew");
    nonNegative(itemSkew, "itemSkew");
    if (seedEvents < users) {
      throw new IllegalArgumentException("seedEvents must be >= users (" + users + ") so every user has history, was " + seedEvents);
    }
    if (searchCandidates < 1 || searchCandidates > 10_000) {
      throw new IllegalArgumentException("searchCandidates must be in [1, 10000], was " + searchCandidates);
    }
    nonNegative(homepageWeight, "homepageWeight");
    nonNegative(searchWeight, "searchWeight");
    nonNegative(categoryWeight, "categoryWeight");
    if (homepageWeight + searchWeight + categoryWeight <= 0) {
      throw new IllegalArgumentException("at least one scenario weight must be positive");
    }
  }

  /**
   * The default: 100,000 users (Zipf 1.0), 10,000 items in 60 categories (Zipf 0.9), 300,000 seed
   * events, search with 200 host candidates, scenario mix homepage 50% / search 30% / category 20%.
   */
  public static WorkloadSpec standard() {
    return new WorkloadSpec(STANDARD_USERS, STANDARD_ITEMS, 60, 1.0, 0.9, 300_000, 200, 0.5, 0.3, 0.2, 42);
  }

  /** A small shop for short runs and tests: 5,000 users, 1,000 items in 20 categories, 15,000 events. */
  public static WorkloadSpec small() {
    return new WorkloadSpec(5_000, 1_000, 20, 1.0, 0.9, 15_000, 200, 0.5, 0.3, 0.2, 42);
  }

  /** This spec with another seed. */
  public WorkloadSpec withSeed(long newSeed) {
    return new WorkloadSpec(users, items, categories, userSkew, itemSkew, seedEvents, searchCandidates,
        homepageWeight, searchWeight, categoryWeight, newSeed);
  }

  private static void positive(int v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + v);
    }
  }

  private static void nonNegative(double v, String name) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, was " + v);
    }
  }
}
