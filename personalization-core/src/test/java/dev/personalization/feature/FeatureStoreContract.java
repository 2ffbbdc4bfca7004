package dev.personalization.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.personalization.Event;
import dev.personalization.cache.FreshnessClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link FeatureStore} must have. An implementation's test extends this class
 * and returns a fresh, empty store from {@link #newStore()}; the store is closed after each test.
 */
public abstract class FeatureStoreContract {

  protected static final FeatureSchema USERS = new FeatureSchema("counters", "user", 1, FreshnessClass.DYNAMIC,
      List.of("a", "b"));
  protected static final FeatureSchema OTHER_USERS = new FeatureSchema("affinity", "user", 1, FreshnessClass.DYNAMIC,
      List.of("x"));
  protected static final FeatureSchema ITEMS = new FeatureSchema("item", "item", 1, FreshnessClass.STATIC, List.of("q"));
  /** Ids a careless store would break on: quotes, comment and wildcard characters, non-ASCII. */
  protected static final List<String> AWKWARD_IDS = List.of("o'brien", "'; DROP TABLE users; --", "a\"b", "100%_off", "back\\slash",
      "ユーザー-😀", "x OR 1=1", "$1", "?", ":name", "semi;colon", "  spaced  ");

  protected FeatureStore store;

  /** A new, empty store. */
  protected abstract FeatureStore newStore();

  @BeforeEach
  public void openStore() {
    store = newStore();
  }

  @AfterEach
  public void closeStore() {
    store.close();
  }

  protected static FeatureVector vector(long version, float a, float b) {
    return FeatureVector.of(1, version, 1_700_000_000_000L, new float[] {a, b}, new long[] {version, -version});
  }

  @Test
  public void absentIdsAreAbsent() {
    assertTrue(store.fetchMany(USERS, List.of("nobody", "nobody-else")).isEmpty());
    assertTrue(store.fetchMany(USERS, List.of()).isEmpty());
    assertTrue(store.fetchManyLatest(USERS, List.of("nobody")).isEmpty());
  }

  @Test
  public void insertThenReadBackEveryField() {
    FeatureVector v = vector(1, 0.5f, -2f);
    assertTrue(store.compareAndSet(USERS, "u1", 0, v));
    assertEquals(v, store.fetchMany(USERS, List.of("u1")).get("u1"));
    assertEquals(v, store.fetchManyLatest(USERS, List.of("u1")).get("u1"));
  }

  @Test
  public void compareAndSetNeedsTheStoredVersion() {
    assertTrue(store.compareAndSet(USERS, "u1", 0, vector(1, 1, 1)));
    assertFalse(store.compareAndSet(USERS, "u1", 0, vector(1, 9, 9)), "insert over an existing row");
    assertFalse(store.compareAndSet(USERS, "u1", 5, vector(6, 9, 9)), "wrong expected version");
    assertEquals(vector(1, 1, 1), store.fetchManyLatest(USERS, List.of("u1")).get("u1"));
    assertTrue(store.compareAndSet(USERS, "u1", 1, vector(2, 2, 2)));
    assertFalse(store.compareAndSet(USERS, "u1", 1, vector(2, 3, 3)), "the old version is gone");
    assertEquals(vector(2, 2, 2), store.fetchManyLatest(USERS, List.of("u1")).get("u1"));
  }

  @Test
  public void compareAndSetAllReportsWinnersOnly() {
    store.compareAndSet(USERS, "taken", 0, vector(1, 1, 1));
    store.compareAndSet(USERS, "moved-on", 0, vector(1, 1, 1));
    store.compareAndSet(USERS, "moved-on", 1, vector(2, 1, 1));
    Set<String> won = store.compareAndSetAll(USERS, List.of(
        new FeatureWrite("fresh", 0, vector(1, 5, 5)),
        new FeatureWrite("taken", 0, vector(1, 6, 6)),
        new FeatureWrite("moved-on", 1, vector(2, 7, 7)),
        new FeatureWrite("taken-update", 0, vector(1, 8, 8))));
    assertEquals(Set.of("fresh", "taken-update"), won);
    Map<String, FeatureVector> now = store.fetchManyLatest(USERS, List.of("fresh", "taken", "moved-on", "taken-update"));
    assertEquals(vector(1, 5, 5), now.get("fresh"));
    assertEquals(vector(1, 1, 1), now.get("taken"));
    assertEquals(vector(2, 1, 1), now.get("moved-on"));
  }

  @Test
  public void groupsAndEntitiesAreSeparate() {
    store.compareAndSet(USERS, "same", 0, vector(1, 1, 1));
    store.compareAndSet(OTHER_USERS, "same", 0, FeatureVector.of(1, 1, 0, 42f));
    store.compareAndSet(ITEMS, "same", 0, FeatureVector.of(1, 1, 0, 7f));
    assertEquals(1f, store.fetchMany(USERS, List.of("same")).get("same").get(0));
    assertEquals(42f, store.fetchMany(OTHER_USERS, List.of("same")).get("same").get(0));
    assertEquals(7f, store.fetchMany(ITEMS, List.of("same")).get("same").get(0));
  }

  @Test
  public void fetchesManyIdsAtOnceIncludingDuplicatesAndMisses() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      ids.add("user-" + i);
      if (i % 2 == 0) {
        store.compareAndSet(USERS, "user-" + i, 0, vector(1, i, 0));
      }
    }
    ids.add("user-0");
    Map<String, FeatureVector> found = store.fetchMany(USERS, ids);
    assertEquals(350, found.size());
    for (int i = 0; i < 700; i += 2) {
      assertEquals((float) i, found.get("user-" + i).get(0));
    }
    assertNull(found.get("user-1"));
  }

  @Test
  public void awkwardIdsAreDataNotSyntax() {
    for (String id : AWKWARD_IDS) {
      assertTrue(store.compareAndSet(USERS, id, 0, vector(1, id.length(), 0)), id);
    }
    Map<String, FeatureVector> found = store.fetchMany(USERS, AWKWARD_IDS);
    assertEquals(AWKWARD_IDS.size(), found.size());
    for (String id : AWKWARD_IDS) {
      assertEquals((float) id.length(), found.get(id).get(0), id);
    }
    assertTrue(store.fetchMany(USERS, List.of("o'brien' OR '1'='1")).isEmpty());
    List<Event> events = new ArrayList<>();
    for (String id : AWKWARD_IDS) {
      events.add(Event.of("event " + id, id, id, "click", Instant.parse("2026-01-01T00:00:00Z")));
    }
    assertEquals(events, store.appendNew(events));
    assertEquals(List.of(), store.appendNew(events));
  }

  @Test
  public void appendIsIdempotentByEventId() {
    Instant t = Instant.parse("2026-03-04T05:06:07.123456Z");
    Event a = Event.of("e-a", "u1", "i1", "click", t);
    Event b = Event.of("e-b", "u1", "i2", "view", t).withCategory("shoes").withScenario("homepage").withWeight(2.5);
    Event c = Event.of("e-c", "u2", "i1", "purchase", t);
    assertEquals(List.of(a, b), store.appendNew(List.of(a, b)));
    assertEquals(List.of(), store.appendNew(List.of(b, a)));
    assertEquals(List.of(c), store.appendNew(List.of(a, c, b)), "only new events, in input order");
    Event d = Event.of("e-d", "u3", "i3", "click", t);
    assertEquals(List.of(d), store.appendNew(List.of(d, d)), "a duplicate within one batch counts once");
  }

  @Test
  public void concurrentCompareAndSetLosesNoIncrement() throws Exception {
    int threads = 4;
    int incrementsPerThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Integer>> attempts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        attempts.add(pool.submit(() -> {
          go.await();
          int tries = 0;
          for (int done = 0; done < incrementsPerThread; tries++) {
            FeatureVector current = store.fetchManyLatest(USERS, List.of("hot")).get("hot");
            long version = current == null ? 0 : current.version();
            float count = current == null ? 0 : current.get(0);
            if (store.compareAndSet(USERS, "hot", version, vector(version + 1, count + 1, 0))) {
              done++;
            }
          }
          return tries;
        }));
      }
      go.countDown();
      for (Future<Integer> f : attempts) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    FeatureVector end = store.fetchManyLatest(USERS, List.of("hot")).get("hot");
    assertEquals(threads * incrementsPerThread, end.get(0), 0f);
    assertEquals(threads * incrementsPerThread, end.version());
  }
}
