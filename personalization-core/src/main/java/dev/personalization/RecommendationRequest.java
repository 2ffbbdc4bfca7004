package dev.personalization;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a host asks of {@code recommend}. Immutable; build with {@link #builder(String, Scenario)}.
 * Every field is validated in {@link Builder#build()}, which throws an
 * {@link InvalidRequestException} naming the first bad field.
 */
public final class RecommendationRequest {

  /** Items returned when no limit is set. */
  public static final int DEFAULT_LIMIT = 20;
  /** The largest limit accepted. */
  public static final int MAX_LIMIT = 1000;
  /** The deadline when none is set: the performance guide's P99 budget. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofMillis(100);
  /** The longest deadline accepted. */
  public static final Duration MAX_DEADLINE = Duration.ofSeconds(30);
  /** The most host-provided candidates accepted. */
  public static final int MAX_HOST_CANDIDATES = 10_000;
  /** Context attribute naming the category of the {@link Scenario#CATEGORY} scenario. */
  public static final String CATEGORY_ID = "category_id";
  /** Context attribute naming the device ({@code mobile}, {@code desktop}, {@code tablet}). */
  public static final String DEVICE = "device";
  /** Context attribute carrying a search query. */
  public static final String QUERY = "query";

  private static final int MAX_ID_LENGTH = 256;
  private static final int MAX_CONTEXT_ENTRIES = 64;
  private static final int MAX_CONTEXT_VALUE_LENGTH = 1024;

  private final String userId;
  private final Scenario scenario;
  private final int limit;
  private final Map<String, String> context;
  private final List<String> candidateIds;
  private final Set<String> excludedItemIds;
  private final Duration deadline;

  private RecommendationRequest(Builder b) {
    this.userId = b.userId;
    this.scenario = b.scenario;
    this.limit = b.limit;
    this.context = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.context));
    this.candidateIds = List.copyOf(b.candidateIds);
    this.excludedItemIds = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(b.excluded));
    this.deadline = b.deadline;
  }

  /** A request for {@code userId} in {@code scenario}; both are validated in {@link Builder#build()}. */
  public static Builder builder(String userId, Scenario scenario) {
    return new Builder(userId, scenario);
  }

  /** The user to recommend for. */
  public String userId() {
    return userId;
  }

  /** Where the items will be shown. */
  public Scenario scenario() {
    return scenario;
  }

  /** How many items to return, 1 to {@value #MAX_LIMIT}. */
  public int limit() {
    return limit;
  }

  /** Context attributes (device, query, category id, ...). */
  public Map<String, String> context() {
    return context;
  }

  /** The context attribute {@code key}, or {@code null}. */
  public String context(String key) {
    return context.get(key);
  }

  /** Host-provided candidates (search results to re-rank), in the host's order; may be empty. */
  public List<String> candidateIds() {
    return candidateIds;
  }

  /** Items that must not be returned. */
  public Set<String> excludedItemIds() {
    return excludedItemIds;
  }

  /** The time budget from admission to answer. */
  public Duration deadline() {
    return deadline;
  }

  @Override
  public String toString() {
    return "RecommendationRequest{user=" + userId + ", scenario=" + scenario + ", limit=" + limit
        + ", context=" + context + ", candidates=" + candidateIds.size() + ", deadline=" + deadline + "}";
  }

  /** Builds a {@link RecommendationRequest}. Not thread-safe. */
  public static final class Builder {
    private final String userId;
    private final Scenario scenario;
    private int limit = DEFAULT_LIMIT;
    private final Map<String, String> context = new LinkedHashMap<>();
    private final List<String> candidateIds = new ArrayList<>();
    private final Set<String> excluded = new LinkedHashSet<>();
    private Duration deadline = DEFAULT_DEADLINE;

    private Builder(String userId, Scenario scenario) {
      this.userId = userId;
      this.scenario = scenario;
    }

    /** How many items to return (default {@value RecommendationRequest#DEFAULT_LIMIT}, at most 1000). */
    public Builder limit(int limit) {
      this.limit = limit;
      return this;
    }

    /** Adds a context attribute; a later value for the same key replaces the earlier. */
    public Builder context(String key, String value) {
      context.put(key, value);
      return this;
    }

    /** Adds context attributes. */
    public Builder context(Map<String, String> attributes) {
      context.putAll(Objects.requireNonNull(attributes, "context"));
      return this;
    }

    /** Host-provided candidates, for example search results to re-rank. */
    public Builder candidates(Collection<String> ids) {
      candidateIds.addAll(Objects.requireNonNull(ids, "candidateIds"));
      return this;
    }

    /** Items that must not be returned. */
    public Builder exclude(Collection<String> ids) {
      excluded.addAll(Objects.requireNonNull(ids, "excludedItemIds"));
      return this;
    }

    /** The time budget (default 100 ms, at most 30 s). */
    public Builder deadline(Duration deadline) {
      this.deadline = deadline;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws InvalidRequestException naming the first invalid field
     */
    public RecommendationRequest build() {
      checkId("userId", userId);
      if (scenario == null) {
        throw new InvalidRequestException("scenario", "is missing");
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new InvalidRequestException("limit", "must be in [1, " + MAX_LIMIT + "], was " + limit);
      }
      if (deadline == null || deadline.isNegative() || deadline.isZero()) {
        throw new InvalidRequestException("deadline", "must be positive, was " + deadline);
      }
      if (deadline.compareTo(MAX_DEADLINE) > 0) {
        throw new InvalidRequestException("deadline", "must be at most " + MAX_DEADLINE + ", was " + deadline);
      }
      if (context.size() > MAX_CONTEXT_ENTRIES) {
        throw new InvalidRequestException("context", "has " + context.size() + " entries, at most " + MAX_CONTEXT_ENTRIES);
      }
      for (Map.Entry<String, String> e : context.entrySet()) {
        if (e.getKey() == null || e.getKey().isBlank() || e.getKey().length() > 64) {
          throw new InvalidRequestException("context", "keys must be 1 to 64 non-blank characters, was '" + e.getKey() + "'");
        }
        if (e.getValue() == null) {
          throw new InvalidRequestException("context." + e.getKey(), "is null");
        }
        if (e.getValue().length() > MAX_CONTEXT_VALUE_LENGTH) {
          throw new InvalidRequestException("context." + e.getKey(), "is longer than " + MAX_CONTEXT_VALUE_LENGTH + " characters");
        }
      }
      if (scenario.equals(Scenario.CATEGORY)) {
        String category = context.get(CATEGORY_ID);
        if (category == null || category.isBlank()) {
          throw new InvalidRequestException("context." + CATEGORY_ID, "is required by the category scenario");
        }
      }
      if (candidateIds.size() > MAX_HOST_CANDIDATES) {
        throw new InvalidRequestException("candidateIds", "has " + candidateIds.size() + " ids, at most " + MAX_HOST_CANDIDATES);
      }
      for (String id : candidateIds) {
        checkId("candidateIds", id);
      }
      for (String id : excluded) {
        checkId("excludedItemIds", id);
      }
      return new RecommendationRequest(this);
    }

    private static void checkId(String field, String id) {
      if (id == null) {
        throw new InvalidRequestException(field, "is null");
      }
      if (id.isBlank()) {
        throw new InvalidRequestException(field, "is blank");
      }
      if (id.length() > MAX_ID_LENGTH) {
        throw new InvalidRequestException(field, "is longer than " + MAX_ID_LENGTH + " characters");
      }
      for (int i = 0; i < id.length(); i++) {
        if (Character.isISOControl(id.charAt(i))) {
          throw new InvalidRequestException(field, "contains a control character at index " + i);
        }
      }
    }
  }
}
