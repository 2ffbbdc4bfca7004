package dev.personalization.examples.quickstart;

import dev.personalization.Event;
import dev.personalization.Item;
import dev.personalization.RecommendationRequest;
import dev.personalization.Scenario;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A reproducible synthetic shop: a catalog of items in categories, users who each prefer two or
 * three categories, and generators of the events they cause and the requests they make.
 *
 * <p>Skew is what makes a cache and a recommender worth having, so everything is Zipf-distributed:
 * user activity (s = {@value #USER_SKEW}), category popularity (s = {@value #CATEGORY_SKEW}) and
 * item popularity within a category (s = {@value #ITEM_SKEW}). A user's events fall in one of their
 * preferred categories {@value #PREFERRED_SHARE_PERCENT}% of the time, so personalization is
 * visible in the answers.
 *
 * <p>Built once from a seed and immutable afterwards; the generators take the caller's
 * {@link Random}, so several threads can draw from one shop.
 */
final class SyntheticShop {

  static final double USER_SKEW = 1.1;
  static final double CATEGORY_SKEW = 0.8;
  static final double ITEM_SKEW = 1.0;
  static final int PREFERRED_SHARE_PERCENT = 85;
  /** Items a search request passes for re-ranking, as a search engine's result page would. */
  static final int SEARCH_CANDIDATES = 50;
  /** Items asked for per request. */
  static final int LIMIT = 10;

  /** Event types and how often each occurs; the engine's default types. */
  private static final String[] EVENT_TYPES = {"view", "click", "add_to_cart", "purchase"};
  private static final double[] EVENT_TYPE_SHARES = {0.80, 0.13, 0.05, 0.02};
  /** Where events happen and where requests come from. */
  private static final Scenario[] SCENARIOS = {Scenario.HOMEPAGE, Scenario.SEARCH, Scenario.CATEGORY};
  private static final double[] EVENT_SCENARIO_SHARES = {0.45, 0.30, 0.25};
  private static final double[] REQUEST_SCENARIO_SHARES = {0.50, 0.30, 0.20};
  private static final String[] DEVICES = {"mobile", "desktop", "tablet"};

  private final String[] itemIds;
  private final int[] itemCategory;
  private final float[][] itemFeatures;
  private final String[] categoryIds;
  private final int[][] itemsByCategory;
  private final String[] userIds;
  private final int[][] preferredCategories;
  private final Map<String, Integer> itemIndex;
  private final ZipfSampler userActivity;
  private final ZipfSampler categoryPopularity;
  private final ZipfSampler itemPopularity;

  private SyntheticShop(DemoScale scale) {
    Random random = new Random(scale.seed());
    int categories = scale.categories();
    categoryIds = new String[categories];
    for (int c = 0; c < categories; c++) {
      categoryIds[c] = String.format(Locale.ROOT, "cat-%02d", c);
    }
    int items = scale.items();
    itemIds = new String[items];
    itemCategory = new int[items];
    itemFeatures = new float[items][];
    itemIndex = new HashMap<>(items * 2);
    int[] perCategory = new int[categories];
    for (int i = 0; i < items; i++) {
      itemIds[i] = String.format(Locale.ROOT, "sku-%05d", i);
      itemCategory[i] = i % categories;
      perCategory[i % categories]++;
      itemIndex.put(itemIds[i], i);
      float quality = (float) Math.min(1, Math.max(0, 0.6 + 0.2 * random.nextGaussian()));
      float priceLevel = random.nextInt(5) / 4f;
      float freshness = random.nextFloat();
      itemFeatures[i] = new float[] {quality, priceLevel, freshness};
    }
    itemsByCategory = new int[categories][];
    int smallest = Integer.MAX_VALUE;
    for (int c = 0; c < categories; c++) {
      itemsByCategory[c] = new int[perCategory[c]];
      smallest = Math.min(smallest, perCategory[c]);
    }
    int[] filled = new int[categories];
    for (int i = 0; i < items; i++) {
      itemsByCategory[itemCategory[i]][filled[itemCategory[i]]++] = i;
    }
    categoryPopularity = new ZipfSampler(categories, CATEGORY_SKEW);
    itemPopularity = new ZipfSampler(smallest, ITEM_SKEW);
    userActivity = new ZipfSampler(scale.users(), USER_SKEW);
    userIds = new String[scale.users()];
    preferredCategories = new int[scale.users()][];
    for (int u = 0; u < userIds.length; u++) {
      userIds[u] = "user-" + u;
      int count = 2 + random.nextInt(2);
      int[] prefs = new int[count];
      for (int k = 0; k < count; k++) {
        int c;
        do {
          c = categoryPopularity.sample(random);
        } while (contains(prefs, k, c));
        prefs[k] = c;
      }
      preferredCategories[u] = prefs;
    }
  }

  /** Builds the shop for a scale; the same seed gives the same shop. */
  static SyntheticShop generate(DemoScale scale) {
    return new SyntheticShop(scale);
  }

  /** The catalog, as the engine takes it. */
  List<Item> items() {
    List<Item> out = new ArrayList<>(itemIds.length);
    for (int i = 0; i < itemIds.length; i++) {
      out.add(new Item(itemIds[i], categoryIds[itemCategory[i]], itemFeatures[i]));
    }
    return out;
  }

  int itemCount() {
    return itemIds.length;
  }

  int categoryCount() {
    return categoryIds.length;
  }

  int userCount() {
    return userIds.length;
  }

  /** The id of the user of activity rank {@code rank} (0 is the most active). */
  String userId(int rank) {
    return userIds[rank];
  }

  /** The category ids a user prefers. */
  Set<String> preferredCategories(int userRank) {
    Set<String> out = new java.util.LinkedHashSet<>();
    for (int c : preferredCategories[userRank]) {
      out.add(categoryIds[c]);
    }
    return out;
  }

  /** The category of a catalog item, or {@code null} for an unknown id. */
  String categoryOf(String itemId) {
    Integer i = itemIndex.get(itemId);
    return i == null ? null : categoryIds[itemCategory[i]];
  }

  /**
   * The {@code n}-th event of a stream of {@code total} spread evenly from {@code from} to
   * {@code to}: oldest first, as a replay of the last few days would arrive.
   */
  Event event(int n, int total, Instant from, Instant to, Random random) {
    int user = userActivity.sample(random);
    int[] prefs = preferredCategories[user];
    int category = random.nextInt(100) < PREFERRED_SHARE_PERCENT
        ? prefs[random.nextInt(prefs.length)] : categoryPopularity.sample(random);
    int[] inCategory = itemsByCategory[category];
    int item = inCategory[itemPopularity.sample(random)];
    long span = to.toEpochMilli() - from.toEpochMilli();
    Instant at = from.plusMillis(total <= 1 ? 0 : span * n / (total - 1));
    return new Event("ev-" + n, userIds[user], itemIds[item], EVENT_TYPES[pick(EVENT_TYPE_SHARES, random)], at, 1.0,
        categoryIds[category], SCENARIOS[pick(EVENT_SCENARIO_SHARES, random)].name());
  }

  /** A request from a user drawn by activity, in a scenario drawn from the traffic mix. */
  RecommendationRequest request(Random random) {
    int user = userActivity.sample(random);
    Scenario scenario = SCENARIOS[pick(REQUEST_SCENARIO_SHARES, random)];
    RecommendationRequest.Builder b = RecommendationRequest.builder(userIds[user], scenario)
        .limit(LIMIT)
        .context(RecommendationRequest.DEVICE, DEVICES[random.nextInt(DEVICES.length)]);
    if (scenario.equals(Scenario.SEARCH)) {
      List<String> results = new ArrayList<>(SEARCH_CANDIDATES);
      for (int k = 0; k < SEARCH_CANDIDATES; k++) {
        results.add(itemIds[random.nextInt(itemIds.length)]);
      }
      b.candidates(results).context(RecommendationRequest.QUERY, "query-" + random.nextInt(1_000));
    } else if (scenario.equals(Scenario.CATEGORY)) {
      int[] prefs = preferredCategories[user];
      int category = random.nextInt(100) < 70 ? prefs[random.nextInt(prefs.length)] : categoryPopularity.sample(random);
      b.context(RecommendationRequest.CATEGORY_ID, categoryIds[category]);
    }
    return b.build();
  }

  /** The index drawn from a distribution given as shares summing to 1. */
  private static int pick(double[] shares, Random random) {
    double u = random.nextDouble();
    for (int i = 0; i < shares.length - 1; i++) {
      u -= shares[i];
      if (u < 0) {
        return i;
      }
    }
    return shares.length - 1;
  }

  private static boolean contains(int[] values, int length, int value) {
    for (int i = 0; i < length; i++) {
      if (values[i] == value) {
        return true;
      }
    }
    return false;
  }
}
