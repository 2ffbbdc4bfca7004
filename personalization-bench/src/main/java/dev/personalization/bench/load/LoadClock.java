package dev.personalization.bench.load;

import java.util.concurrent.locks.LockSupport;

/**
 * The load tester's time source. The system clock parks the sender until a request is due; tests
 * substitute a virtual clock under which a whole run takes no real time and is deterministic.
 */
public interface LoadClock {

  /** A monotonic reading in nanoseconds, like {@link System#nanoTime()}. */
  long nanoTime();

  /**
   * Returns once {@link #nanoTime()} has reached {@code deadlineNanos}.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void parkUntil(long deadlineNanos) throws InterruptedException;

  /** Whether time here is simulated; real-time-only figures (send lag, generator CPU) are then not measured. */
  default boolean isVirtual() {
    return false;
  }

  /**
   * {@link System#nanoTime()}, waiting with {@link LockSupport#parkNanos}. No spinning: on a small
   * machine a spinning sender would steal a core from the system it measures. A park oversleeps by
   * tens of microseconds; the sender then sends everything that fell due, each request keeping its
   * own intended time, so oversleeping shows as send lag and never shifts the schedule.
   */
  static LoadClock system() {
    return SystemClock.INSTANCE;
  }

  /** {@link LoadClock#system()}. */
  final class SystemClock implements LoadClock {
    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void parkUntil(long deadlineNanos) throws InterruptedException {
      long remaining;
      while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
        LockSupport.parkNanos(remaining);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    }
  }
}
