package dev.personalization.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.feature.FeatureVector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link CacheTier} must have. Extend it in the module of an implementation and
 * implement {@link #createTier()}; the class name deliberately does not end in {@code Test}, so
 * surefire only runs it through its subclasses.
 *
 * <p>Every test is independent of time: entries are written with a TTL of one hour and nothing
 * sleeps, so the same suite runs against remote tiers. Futures are awaited with a timeout of
 * {@value #TIMEOUT_SECONDS} seconds, which is generous for a local Redis and makes a hung tier fail
 * the test instead of the build. Keys carry a random per-test prefix, so tiers backed by a shared
 * server need no flush between tests.
 */
public abstract class CacheTierContract {

  /** How long any single tier call may take before the test fails. */
  protected static final long TIMEOUT_SECONDS = 5;

  /** Long enough that no entry written by this suite expires during a run. */
  protected static final Duration TTL = Duration.ofHours(1);

  private CacheTier tier;
  private String prefix;

  /**
   * A new tier for one test. Called before each test; the tier is closed by
   * {@link #destroyTier(CacheTier)} after it.
   */
  protected abstract CacheTier createTier() throws Exception;

  /** Releases a tier after a test; the default calls {@link CacheTier#close()}. */
  protected void destroyTier(CacheTier tier) throws Exception {
    tier.close();
  }

  /** The tier under test. */
  protected final CacheTier tier() {
    return tier;
  }

  /** A key unique to this test, so that tests never see each other's entries. */
  protected final String key(String suffix) {
    return prefix + suffix;
  }

  /** Waits for a tier call, failing the test if it takes longer than {@value #TIMEOUT_SECONDS} s. */
  protected static <T> T await(CompletableFuture<T> future) throws Exception {
    return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** A vector whose every field is distinguishable, so an equality check compares them all. */
  protected static FeatureVector vector(long version) {
    return FeatureVector.of(3, version, 1_700_000_000_000L + version,
        new float[] {version, 0.5f, -1.25f, Float.MIN_VALUE}, new long[] {StableHash.of("item-" + version), -7L});
  }

  @BeforeEach
  final void setUpTier() throws Exception {
    prefix = "contract:" + UUID.randomUUID() + ":";
    tier = createTier();
    assertNotNull(tier, "createTier() returned null");
  }

  @AfterEach
  final void tearDownTier() throws Exception {
    if (tier != null) {
      destroyTier(tier);
    }
  }

  private void put(String key, FeatureVector value) throws Exception {
    await(tier.putAll(List.of(new CacheEntry(key, value, TTL))));
  }

  private FeatureVector get(String key) throws Exception {
    return await(tier.getAll(List.of(key))).get(key);
  }

  @Test
  void nameIsNotBlank() {
    assertNotNull(tier.name());
    assertFalse(tier.name().isBlank(), "name() must not be blank");
  }

  @Test
  void getAllOfNoKeysIsEmpty() throws Exception {
    assertEquals(Map.of(), await(tier.getAll(List.of())));
  }

  @Test
  void getAllOfMissingKeysIsEmpty() throws Exception {
    assertEquals(Map.of(), await(tier.getAll(List.of(key("a"), key("b")))));
  }

  @Test
  void putThenGetReturnsAnEqualVector() throws Exception {
    FeatureVector written = vector(42);
    put(key("user-1"), written);

    FeatureVector read = get(key("user-1"));

    assertNotNull(read, "the value just written is missing");
    assertEquals(written, read);
    assertEquals(3, read.schemaVersion());
    assertEquals(42, read.version());
    assertEquals(written.asOfMillis(), read.asOfMillis());
    assertArrayEquals(written.values(), read.values());
    assertArrayEquals(written.references(), read.references());
  }

  @Test
  void vectorsWithoutValuesOrReferencesRoundTrip() throws Exception {
    FeatureVector empty = FeatureVector.of(0, 0, 0);
    put(key("empty"), empty);

    assertEquals(empty, get(key("empty")));
  }

  @Test
  void bulkGetReturnsExactlyThePresentKeys() throws Exception {
    List<CacheEntry> entries = new ArrayList<>();
    Map<String, FeatureVector> expected = new HashMap<>();
    List<String> asked = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String k = key("item-" + i);
      asked.add(k);
      // Every fourth key is left out so that hits and misses interleave.
      if (i % 4 != 0) {
        entries.add(new CacheEntry(k, vector(i), TTL));
        expected.put(k, vector(i));
      }
    }
    await(tier.putAll(entries));

    Map<String, FeatureVector> found = await(tier.getAll(asked));

    assertEquals(150, found.size());
    assertEquals(expected, found);
  }

  @Test
  void aBatchOfSynchronousReadsAnswersAsTheKeysOneByOne() throws Exception {
    put(key("a"), vector(1));
    put(key("c"), vector(3));
    List<String> keys = List.of(key("a"), key("b"), key("c"), key("a"));
    FeatureVector[] into = new FeatureVector[keys.size() + 1];
    into[1] = vector(99);

    tier.getIfPresent(keys, into);

    for (int i = 0; i < keys.size(); i++) {
      assertEquals(tier.getIfPresent(keys.get(i)), into[i], "index " + i);
    }
    assertEquals(vector(1), into[0]);
    assertNull(into[1], "a miss overwrites what the array held");
    assertNull(into[keys.size()], "nothing is written past the keys");
  }

  @Test
  void getAllReturnsOnlyTheAskedKeys() throws Exception {
    put(key("a"), vector(1));
    put(key("b"), vector(2));

    assertEquals(Map.of(key("a"), vector(1)), await(tier.getAll(List.of(key("a"), key("missing")))));
  }

  @Test
  void duplicateKeysInGetAllAreAnsweredOnce() throws Exception {
    put(key("a"), vector(1));

    Map<String, FeatureVector> found = await(tier.getAll(List.of(key("a"), key("a"), key("b"), key("b"))));

    assertEquals(Map.of(key("a"), vector(1)), found);
  }

  @Test
  void invalidateAllRemovesOnlyTheGivenKeys() throws Exception {
    await(tier.putAll(List.of(
        new CacheEntry(key("a"), vector(1), TTL),
        new CacheEntry(key("b"), vector(2), TTL),
        new CacheEntry(key("c"), vector(3), TTL))));

    await(tier.invalidateAll(List.of(key("a"), key("c"), key("never-written"))));

    assertEquals(Map.of(key("b"), vector(2)), await(tier.getAll(List.of(key("a"), key("b"), key("c")))));
  }

  @Test
  void anOlderVersionNeverReplacesANewerOne() throws Exception {
    put(key("a"), vector(7));

    put(key("a"), vector(6));

    assertEquals(vector(7), get(key("a")));
  }

  @Test
  void aNewerVersionReplacesAnOlderOne() throws Exception {
    put(key("a"), vector(6));

    put(key("a"), vector(7));

    assertEquals(vector(7), get(key("a")));
  }

  @Test
  void anEqualVersionIsAccepted() throws Exception {
    FeatureVector first = FeatureVector.of(1, 5, 100L, 1f, 2f);
    FeatureVector second = FeatureVector.of(1, 5, 200L, 3f, 4f);
    put(key("a"), first);

    put(key("a"), second);

    assertEquals(second, get(key("a")));
  }

  @Test
  void withinOneBatchTheLargerVersionOfAKeyWins() throws Exception {
    await(tier.putAll(List.of(
        new CacheEntry(key("a"), vector(9), TTL),
        new CacheEntry(key("a"), vector(8), TTL))));

    assertEquals(vector(9), get(key("a")));
  }

  @Test
  void keysWithUnicodeColonsAndLongIdsWork() throws Exception {
    List<String> keys = List.of(
        key("pe:user:ユーザー-é-🙂:profile:v1"),
        key("pe:item:a:b::c:::d:group:v2:00000000deadbeef"),
        key("pe:user:" + "x".repeat(2_000) + ":profile:v1"),
        key(" spaces and\ttabs "));
    List<CacheEntry> entries = new ArrayList<>();
    Map<String, FeatureVector> expected = new HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      entries.add(new CacheEntry(keys.get(i), vector(i), TTL));
      expected.put(keys.get(i), vector(i));
    }
    await(tier.putAll(entries));

    assertEquals(expected, await(tier.getAll(keys)));

    await(tier.invalidateAll(keys.subList(0, 2)));
    assertEquals(Map.of(keys.get(2), vector(2), keys.get(3), vector(3)), await(tier.getAll(keys)));
  }

  @Test
  void keysDifferingOnlyInCaseOrOneCharacterAreDistinct() throws Exception {
    put(key("user-a"), vector(1));
    put(key("user-A"), vector(2));
    put(key("user-a "), vector(3));

    assertEquals(vector(1), get(key("user-a")));
    assertEquals(vector(2), get(key("user-A")));
    assertEquals(vector(3), get(key("user-a ")));
  }

  @Test
  void emptyPutAllIsANoOp() throws Exception {
    put(key("a"), vector(1));

    assertDoesNotThrow(() -> await(tier.putAll(List.of())));

    assertEquals(vector(1), get(key("a")));
  }

  @Test
  void emptyInvalidateAllIsANoOp() throws Exception {
    put(key("a"), vector(1));

    assertDoesNotThrow(() -> await(tier.invalidateAll(List.of())));

    assertEquals(vector(1), get(key("a")));
  }

  @Test
  void getIfPresentAndPeekAgreeWithGetAllForInProcessTiers() throws Exception {
    if (!tier.inProcess()) {
      return;
    }
    put(key("a"), vector(4));

    assertEquals(vector(4), tier.getIfPresent(key("a")));
    assertNull(tier.getIfPresent(key("missing")));
    assertEquals(vector(4), tier.peek(key("a")));
    assertNull(tier.peek(key("missing")));
  }

  @Test
  void concurrentWritersNeverLoseTheNewestVersion() throws Exception {
    int threads = 4;
    int rounds = 50;
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      keys.add(key("hot-" + i));
    }
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        workers.add(pool.submit(() -> {
          start.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          for (int round = 0; round < rounds; round++) {
            // Threads interleave versions (t, t + threads, ...), so every write races with others'.
            long version = (long) round * threads + thread;
            List<CacheEntry> batch = new ArrayList<>(keys.size());
            for (String k : keys) {
              batch.add(new CacheEntry(k, vector(version), TTL));
            }
            await(tier.putAll(batch));
            Map<String, FeatureVector> seen = await(tier.getAll(keys));
            for (FeatureVector v : seen.values()) {
              // A reader may see a newer version than it wrote, never an older one.
              assertTrue(v.version() >= version, "read version " + v.version() + " after writing " + version);
            }
          }
          return null;
        }));
      }
      for (Future<?> w : workers) {
        w.get(TIMEOUT_SECONDS * 6, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    long newest = (long) (rounds - 1) * threads + (threads - 1);
    Map<String, FeatureVector> found = await(tier.getAll(keys));
    assertEquals(keys.size(), found.size());
    for (String k : keys) {
      assertEquals(newest, found.get(k).version(), () -> "lost the newest version of " + k + ": " + found);
    }
  }

  @Test
  void closeCanBeCalledTwice() throws Exception {
    CacheTier other = createTier();

    other.close();
    assertDoesNotThrow(other::close);
  }
}
