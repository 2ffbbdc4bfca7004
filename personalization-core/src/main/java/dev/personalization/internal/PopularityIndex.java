package dev.personalization.internal;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Time-decayed item popularity per board (overall, per scenario, per category), maintained
 * incrementally from events.
 *
 * <p>Uses <em>forward decay</em>: an event at {@code t} adds {@code w * 2^((t - landmark) / h)}.
 * Every score then shrinks by the same factor as time passes, so the ranking never needs
 * re-decaying; only the magnitude grows, and a board rescales itself when it would overflow.
 * Each board's top list is a snapshot refreshed at most once per refresh interval after a change.
 * Thread-safe: writers lock their board, readers never block.
 */
public final class PopularityIndex {

  /** The board of all events. */
  public static final String GLOBAL = "global";

  /** Rescale before {@code 2^exponent} comes near double's range. */
  private static final double MAX_EXPONENT = 500;

  private final Duration halfLife;
  private final int topSize;
  private final long refreshNanos;
  private final InstantSource clock;
  private final ConcurrentHashMap<String, Board> boards = new ConcurrentHashMap<>();

  public PopularityIndex(Duration halfLife, int topSize, Duration refreshInterval, InstantSource clock) {
    this.halfLife = halfLife;
    this.topSize = topSize;
    this.refreshNanos = refreshInterval.toNanos();
    this.clock = clock;
  }

  /** The board of a scenario. */
  public static String scenarioBoard(String scenario) {
    return "scenario:" + scenario;
  }

  /** The board of a category. */
  public static String categoryBoard(String category) {
    return "category:" + category;
  }

  /** Adds an event's weight to an item on a board. */
  public void record(String board, String itemId, double weight, long eventMillis) {
    boards.computeIfAbsent(board, b -> new Board(clock.millis())).add(itemId, weight, eventMillis);
  }

  /** Up to {@code max} of the board's most popular items, best first; empty for an unknown board. */
  public List<String> top(String board, int max) {
    Board b = boards.get(board);
    if (b == null) {
      return List.of();
    }
    List<String> top = b.top();
    return top.size() <= max ? top : top.subList(0, max);
  }

  /** The item's score on the board divided by the board's best score, in {@code [0, 1]}. */
  public float normalized(String board, String itemId) {
    Board b = boards.get(board);
    return b == null ? 0f : b.normalized(itemId);
  }

  private final class Board {
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, Double> scores = new ConcurrentHashMap<>();
    private long landmarkMillis;
    private volatile double best;
    private volatile boolean dirty;
    private volatile long refreshedAtNanos;
    private volatile List<String> top = List.of();

    Board(long landmarkMillis) {
      this.landmarkMillis = landmarkMillis;
    }

    void add(String itemId, double weight, long eventMillis) {
      lock.lock();
      try {
        double exponent = (double) (eventMillis - landmarkMillis) / halfLife.toMillis();
        if (exponent > MAX_EXPONENT) {
          rescaleTo(eventMillis);
          exponent = 0;
        }
        double added = weight * Math.pow(2, exponent);
        double score = scores.merge(itemId, added, Double::sum);
        if (score > best) {
          best = score;
        }
        dirty = true;
      } finally {
        lock.unlock();
      }
    }

    /** Moves the landmark forward, shrinking every score by the same factor. */
    private void rescaleTo(long newLandmark) {
      double factor = Math.pow(2, -(double) (newLandmark - landmarkMillis) / halfLife.toMillis());
      scores.replaceAll((k, v) -> v * factor);
      best *= factor;
      landmarkMillis = newLandmark;
    }

    float normalized(String itemId) {
      Double s = scores.get(itemId);
      double b = best;
      return s == null || b <= 0 ? 0f : (float) Math.min(1.0, s / b);
    }

    List<String> top() {
      if (dirty && System.nanoTime() - refreshedAtNanos >= refreshNanos && lock.tryLock()) {
        try {
          dirty = false;
          top = computeTop();
          refreshedAtNanos = System.nanoTime();
        } finally {
          lock.unlock();
        }
      }
      return top;
    }

    private List<String> computeTop() {
      PriorityQueue<Map.Entry<String, Double>> heap = new PriorityQueue<>(topSize + 1, Map.Entry.comparingByValue());
      for (Map.Entry<String, Double> e : scores.entrySet()) {
        if (heap.size() < topSize) {
          heap.add(Map.entry(e.getKey(), e.getValue()));
        } else if (e.getValue() > heap.peek().getValue()) {
          heap.poll();
          heap.add(Map.entry(e.getKey(), e.getValue()));
        }
      }
      List<String> out = new ArrayList<>(heap.size());
      while (!heap.isEmpty()) {
        out.add(heap.poll().getKey());
      }
      Collections.reverse(out);
      return Collections.unmodifiableList(out);
    }
  }
}
