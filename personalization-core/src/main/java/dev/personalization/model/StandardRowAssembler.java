package dev.personalization.model;

import dev.personalization.RecommendationRequest;
import dev.personalization.feature.Decay;
import dev.personalization.feature.FeatureUpdaters;
import dev.personalization.feature.FeatureVector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@link RowAssembler#standard}. */
final class StandardRowAssembler implements RowAssembler {

  static final String AFFINITY = "category_affinity";
  static final String POPULARITY = "popularity";
  static final List<String> CONTEXT_COLUMNS =
      List.of("device_mobile", "device_desktop", "device_tablet", "hour_sin", "hour_cos", "has_query");

  private final List<Duration> counterHalfLives;
  private final int counterCount;
  private final int affinityBuckets;
  private final Duration affinityHalfLife;
  private final int itemWidth;
  private final List<String> columns;

  StandardRowAssembler(List<String> eventTypes, List<Duration> counterHalfLives, int affinityBuckets,
      Duration affinityHalfLife, List<String> itemColumns) {
    this.counterHalfLives = List.copyOf(counterHalfLives);
    this.counterCount = eventTypes.size() * counterHalfLives.size();
    this.affinityBuckets = affinityBuckets;
    this.affinityHalfLife = affinityHalfLife;
    this.itemWidth = itemColumns.size();
    List<String> cols = new ArrayList<>();
    // The counters' own schema names them; reuse it so that the two can never disagree.
    cols.addAll(FeatureUpdaters.decayedCounters(eventTypes, counterHalfLives).schema().columns());
    cols.add(AFFINITY);
    cols.add(POPULARITY);
    for (String c : itemColumns) {
      cols.add("item_" + c);
    }
    cols.addAll(CONTEXT_COLUMNS);
    this.columns = List.copyOf(cols);
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public FeatureVector contextFeatures(RecommendationRequest request, long nowMillis) {
    String device = request.context(RecommendationRequest.DEVICE);
    device = device == null ? "" : device.toLowerCase(Locale.ROOT);
    double hour = (nowMillis % 86_400_000L) / 3_600_000.0;
    String query = request.context(RecommendationRequest.QUERY);
    return FeatureVector.of(0, 0, nowMillis,
        device.equals("mobile") ? 1f : 0f,
        device.equals("desktop") ? 1f : 0f,
        device.equals("tablet") ? 1f : 0f,
        (float) Math.sin(2 * Math.PI * hour / 24),
        (float) Math.cos(2 * Math.PI * hour / 24),
        query == null || query.isBlank() ? 0f : 1f);
  }

  @Override
  public void assemble(RowContext ctx, float[] rows) {
    int width = columns.size();
    long now = ctx.nowMillis();
    // User-level values are the same in every row: compute them once, then copy.
    float[] userPart = new float[counterCount];
    FeatureVector counters = ctx.userFeatures(FeatureUpdaters.COUNTERS);
    if (counters != null && counters.size() == counterCount) {
      for (int i = 0; i < counterCount; i++) {
        double decay = Decay.factor(counters.asOfMillis(), Math.max(now, counters.asOfMillis()),
            counterHalfLives.get(i % counterHalfLives.size()));
        userPart[i] = (float) Math.log1p(counters.get(i) * decay);
      }
    }
    FeatureVector affinity = ctx.userFeatures(FeatureUpdaters.CATEGORY_AFFINITY);
    float affinityTotal = 0;
    if (affinity != null && affinity.size() == affinityBuckets) {
      for (int b = 0; b < affinityBuckets; b++) {
        affinityTotal += affinity.get(b);
      }
    } else {
      affinity = null;
    }
    FeatureVector context = ctx.contextFeatures();
    int n = ctx.candidateCount();
    for (int r = 0; r < n; r++) {
      int base = r * width;
      System.arraycopy(userPart, 0, rows, base, counterCount);
      int at = base + counterCount;
      FeatureVector item = ctx.itemFeatures(r);
      float itemAffinity = 0;
      if (affinity != null && item != null && item.referenceCount() > 0) {
        int bucket = (int) Math.floorMod(item.reference(0), (long) affinityBuckets);
        // Decay multiplies every bucket alike, so the share needs no decay.
        itemAffinity = affinity.get(bucket) / (1f + affinityTotal);
      }
      rows[at++] = itemAffinity;
      rows[at++] = ctx.popularity(r);
      if (item != null && item.size() == itemWidth) {
        item.copyValuesInto(rows, at);
      } else {
        java.util.Arrays.fill(rows, at, at + itemWidth, 0f);
      }
      at += itemWidth;
      if (context.size() == CONTEXT_COLUMNS.size()) {
        context.copyValuesInto(rows, at);
      } else {
        java.util.Arrays.fill(rows, at, at + CONTEXT_COLUMNS.size(), 0f);
      }
    }
  }

  /** Affinity and popularity dominate; activity and context nudge. */
  static float[] starterWeights(List<String> columns) {
    float[] w = new float[columns.size()];
    for (int i = 0; i < w.length; i++) {
      String c = columns.get(i);
      if (c.equals(AFFINITY)) {
        w[i] = 4.0f;
      } else if (c.equals(POPULARITY)) {
        w[i] = 3.0f;
      } else if (c.startsWith("item_")) {
        w[i] = 0.5f;
      } else if (CONTEXT_COLUMNS.contains(c)) {
        w[i] = 0.05f;
      } else {
        w[i] = 0.02f;
      }
    }
    return w;
  }
}
