package dev.personalization.bench.workload;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.Item;
import dev.personalization.PersonalizationEngine;
import dev.personalization.Scenario;
import dev.personalization.bench.load.LoadRequest;
import dev.personalization.bench.load.RequestSource;
import dev.personalization.bench.load.Workload;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded synthetic shop (see the package description): the catalog, the seed events that give
 * every user a history, and request streams. Building one allocates the catalog and the samplers;
 * {@link #loadInto} puts the catalog and the events into an engine.
 *
 * <p>Users are {@code u0 … u(n-1)}, most active first; items {@code i0 …}; categories {@code c0 …},
 * largest first. A user has a favourite category; 70% of their events and 60% of their category
 * page visits go to it.
 *
 * <p>Immutable after construction and thread-safe; each {@link RequestSource} is for one thread.
 */
public final class SyntheticWorkload implements Workload {

  /** The item feature columns, in order: what the engine's {@code itemColumns} must be. */
  public static final List<String> ITEM_COLUMNS = List.of("quality", "price_level", "freshness");

  private static final String[] DEVICES = {"mobile", "mobile", "desktop", "tablet"};
  private static final String[] EVENT_TYPES = {"view", "click", "add_to_cart", "purchase"};
  private static final double[] EVENT_TYPE_CUMULATIVE = {0.70, 0.90, 0.97, 1.0};
  private static final int SEARCH_RESULT_LISTS = 64;
  private static final int INGEST_BATCH = 1_000;

  private final WorkloadSpec spec;
  private final String[] userIds;
  private final String[] itemIds;
  private final String[] categoryIds;
  private final int[] itemCategory;
  private final int[][] itemsByCategory;
  private final int[] favouriteCategory;
  private final ZipfSampler users;
  private final ZipfSampler items;
  private final ZipfSampler categories;
  private final List<List<String>> searchResults;

  private SyntheticWorkload(WorkloadSpec spec) {
    this.spec = spec;
    SplittableRandom random = new SplittableRandom(spec.seed());
    users = new ZipfSampler(spec.users(), spec.userSkew());
    items = new ZipfSampler(spec.items(), spec.itemSkew());
    categories = new ZipfSampler(spec.categories(), 0.8);
    userIds = ids("u", spec.users());
    itemIds = ids("i", spec.items());
    categoryIds = ids("c", spec.categories());
    itemCategory = new int[spec.items()];
    int[] perCategory = new int[spec.categories()];
    for (int i = 0; i < itemCategory.length; i++) {
      // Every category gets at least one item; the rest are drawn with a skew (big and small categories).
      int c = i < spec.categories() ? i : categories.sample(random);
      itemCategory[i] = c;
      perCategory[c]++;
    }
    itemsByCategory = new int[spec.categories()][];
    for (int c = 0; c < perCategory.length; c++) {
      itemsByCategory[c] = new int[perCategory[c]];
    }
    int[] fill = new int[spec.categories()];
    for (int i = 0; i < itemCategory.length; i++) {
      int c = itemCategory[i];
      itemsByCategory[c][fill[c]++] = i;
    }
    favouriteCategory = new int[spec.users()];
    for (int u = 0; u < favouriteCategory.length; u++) {
      favouriteCategory[u] = categories.sample(random);
    }
    List<List<String>> lists = new ArrayList<>(SEARCH_RESULT_LISTS);
    for (int l = 0; l < SEARCH_RESULT_LISTS; l++) {
      lists.add(searchResultList(random));
    }
    searchResults = List.copyOf(lists);
  }

  /** Builds the shop described by {@code spec}. */
  public static SyntheticWorkload of(WorkloadSpec spec) {
    return new SyntheticWorkload(Objects.requireNonNull(spec, "spec"));
  }

  /** The spec this workload was built from. */
  public WorkloadSpec spec() {
    return spec;
  }

  /** The catalog: {@link WorkloadSpec#items()} items with {@link #ITEM_COLUMNS} features in [0, 1]. */
  public List<Item> catalog() {
    SplittableRandom random = new SplittableRandom(spec.seed() ^ 0x1234_5678L);
    List<Item> out = new ArrayList<>(itemIds.length);
    for (int i = 0; i < itemIds.length; i++) {
      float quality = (float) random.nextDouble();
      float price = (float) random.nextDouble();
      float freshness = (float) random.nextDouble();
      out.add(new Item(itemIds[i], categoryIds[itemCategory[i]], new float[] {quality, price, freshness}));
    }
    return out;
  }

  /**
   * The seed events, oldest first, dated within the three days before {@code now}: one per user,
   * then the rest drawn with Zipf-skewed users.
   */
  public List<Event> seedEvents(Instant now) {
    SplittableRandom random = new SplittableRandom(spec.seed() ^ 0x0E0E_0E0EL);
    List<Event> out = new ArrayList<>(spec.seedEvents());
    long window = Duration.ofDays(3).toMillis();
    long start = now.toEpochMilli() - window;
    for (int n = 0; n < spec.seedEvents(); n++) {
      int user = n < spec.users() ? n : users.sample(random);
      int item = random.nextDouble() < 0.7 ? itemOfCategory(favouriteCategory[user], random) : items.sample(random);
      String type = eventType(random.nextDouble());
      // Spread over the window in order, so the log reads like a real history, with a little noise.
      long t = start + (long) (window * (n + random.nextDouble()) / spec.seedEvents());
      String scenario = scenario(random.nextDouble()).name();
      out.add(new Event("e" + n, userIds[user], itemIds[item], type, Instant.ofEpochMilli(Math.min(t, now.toEpochMilli())),
          1.0, categoryIds[itemCategory[item]], scenario));
    }
    return out;
  }

  /**
   * Upserts the catalog into {@code engine} and ingests the seed events in batches.
   *
   * @return the number of events applied
   * @throws IllegalStateException if the engine rejects an event (the workload and the engine's
   *     event types disagree)
   */
  public long loadInto(PersonalizationEngine engine, Instant now) {
    engine.upsertItems(catalog());
    List<Event> events = seedEvents(now);
    long applied = 0;
    for (int from = 0; from < events.size(); from += INGEST_BATCH) {
      IngestResult r = engine.ingest(events.subList(from, Math.min(events.size(), from + INGEST_BATCH)));
      if (!r.rejected().isEmpty()) {
        throw new IllegalStateException("the engine rejected seed events: " + r.rejected().get(0).getMessage());
      }
      applied += r.applied();
    }
    return applied;
  }

  @Override
  public RequestSource requests(int sender) {
    SplittableRandom random = new SplittableRandom(spec.seed() * 31 + sender + 1);
    return () -> next(random);
  }

  private LoadRequest next(SplittableRandom random) {
    int user = users.sample(random);
    Scenario scenario = scenario(random.nextDouble());
    String device = DEVICES[random.nextInt(DEVICES.length)];
    if (scenario.equals(Scenario.CATEGORY)) {
      int c = random.nextDouble() < 0.6 ? favouriteCategory[user] : categories.sample(random);
      return new LoadRequest(userIds[user], scenario, 20, device, categoryIds[c], null, List.of());
    }
    if (scenario.equals(Scenario.SEARCH)) {
      int list = random.nextInt(searchResults.size());
      return new LoadRequest(userIds[user], scenario, 20, device, null, "q" + list, searchResults.get(list));
    }
    return new LoadRequest(userIds[user], scenario, 20, device, null, null, List.of());
  }

  private Scenario scenario(double u) {
    double total = spec.homepageWeight() + spec.searchWeight() + spec.categoryWeight();
    double x = u * total;
    if (x < spec.homepageWeight()) {
      return Scenario.HOMEPAGE;
    }
    if (x < spec.homepageWeight() + spec.searchWeight()) {
      return Scenario.SEARCH;
    }
    return Scenario.CATEGORY;
  }

  /** Search results: mostly one category (what the query is about), some popular items from anywhere. */
  private List<String> searchResultList(SplittableRandom random) {
    int c = categories.sample(random);
    java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
    int target = Math.min(spec.searchCandidates(), spec.items());
    int attempts = 0;
    while (ids.size() < target && attempts++ < target * 20) {
      int item = random.nextDouble() < 0.7 ? itemOfCategory(c, random) : items.sample(random);
      ids.add(itemIds[item]);
    }
    return List.copyOf(ids);
  }

  private int itemOfCategory(int category, SplittableRandom random) {
    int[] members = itemsByCategory[category];
    // Lower indices are more popular overall, so a skewed pick within the category follows that.
    int at = (int) (members.length * Math.pow(random.nextDouble(), 2));
    return members[Math.min(at, members.length - 1)];
  }

  private static String eventType(double u) {
    for (int i = 0; i < EVENT_TYPE_CUMULATIVE.length; i++) {
      if (u < EVENT_TYPE_CUMULATIVE[i]) {
        return EVENT_TYPES[i];
      }
    }
    return EVENT_TYPES[EVENT_TYPES.length - 1];
  }

  private static String[] ids(String prefix, int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = prefix + i;
    }
    return out;
  }
}
