package dev.personalization.bench.load;

import java.util.PriorityQueue;

/**
 * Simulated time for the load tester: {@link #parkUntil} runs every scheduled action due by then, in
 * time order, and jumps the clock. Single-threaded; a run under it is deterministic and takes no
 * real time.
 */
final class VirtualClock implements LoadClock {

  private record Action(long at, long seq, Runnable run) {
  }

  private final PriorityQueue<Action> queue = new PriorityQueue<>((a, b) ->
      a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now = 1_000_000_000L;
  private long seq;

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void parkUntil(long deadlineNanos) {
    while (!queue.isEmpty() && queue.peek().at <= deadlineNanos) {
      Action a = queue.poll();
      now = Math.max(now, a.at);
      a.run.run();
    }
    now = Math.max(now, deadlineNanos);
  }

  @Override
  public boolean isVirtual() {
    return true;
  }

  /** Runs {@code action} when the clock reaches {@code atNanos}. */
  void schedule(long atNanos, Runnable action) {
    queue.add(new Action(atNanos, seq++, action));
  }
}
