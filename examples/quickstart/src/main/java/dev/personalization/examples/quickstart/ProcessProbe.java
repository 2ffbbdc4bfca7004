package dev.personalization.examples.quickstart;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;

/** Reads this process's CPU time and heap use from the platform MXBeans. */
final class ProcessProbe {

  private static final com.sun.management.OperatingSystemMXBean OS = operatingSystem();

  private ProcessProbe() {
  }

  /** CPU time used by the whole process so far, in nanoseconds (every thread, GC and JIT included). */
  static long cpuNanos() {
    return OS == null ? -1 : OS.getProcessCpuTime();
  }

  /** Cores this JVM may use. */
  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The system's load average over the last minute, or a negative value where it is not available. */
  static double systemLoadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** Heap in use now (live objects and garbage not yet collected) and the heap's maximum. */
  static MemoryUsage heap() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
  }

  /**
   * Share of the machine's cores a CPU time represents over a wall-clock interval, in {@code [0, 1]}
   * or {@code NaN} when the JVM does not report CPU time.
   */
  static double cpuShare(long cpuNanos, long wallNanos) {
    if (cpuNanos < 0 || wallNanos <= 0) {
      return Double.NaN;
    }
    return (double) cpuNanos / ((double) wallNanos * cores());
  }

  private static com.sun.management.OperatingSystemMXBean operatingSystem() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;
  }
}
