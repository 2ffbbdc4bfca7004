package dev.personalization.bench.capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns a load profile and measured unit costs into a deployment, with the performance guide's
 * arithmetic:
 *
 * <pre>
 * cores            = peak QPS × CPU-seconds per request          (guide: 2000 × 0.05 s × 0.5 = 50)
 * cache memory     = daily active users × bytes per cached user  (guide: 100,000 × 10 KB = 1 GB)
 * process memory   = workers × memory per worker, one worker per core   (guide: 50 × 100 MB = 5 GB)
 * total memory     = cache + process                             (guide: 6 GB)
 * instances        = ⌈cores / (cores per instance × CPU target)⌉ + spare   (guide: ⌈50 / 5.6⌉ + 1 = 10)
 * per instance     = cache (every instance caches the active users) + its workers' memory + base,
 *                    which must fit the instance's memory × memory target; if not, the instance
 *                    memory is raised to the next power-of-two GB that fits
 * L2 (Redis)       = all users × bytes per cached user / memory target, rounded up to a power of two
 *                    GB                                          (guide: 1,000,000 × 10 KB / 0.8 → 16 GB)
 * </pre>
 *
 * <p>The guide writes "0.5 CPU/req" for the share of a core a request keeps busy while it is served,
 * so its CPU-seconds per request are {@code mean response time × 0.5}; {@link Inputs#seedExample()}
 * does that conversion, while measured figures come straight from the load test's process CPU time
 * divided by requests served. Units are decimal, as in the guide (1 KB = 1,000 bytes, 1 GB = 10⁹).
 * The guide's "3 read replicas" depends on the store's capacity, which none of these inputs
 * describes; the plan reports the store reads per second at peak instead.
 *
 * <p>Stateless and thread-safe.
 */
public final class CapacityPlanner {

  /** One kilobyte, decimal. */
  public static final double KB = 1e3;
  /** One megabyte, decimal. */
  public static final double MB = 1e6;
  /** One gigabyte, decimal. */
  public static final double GB = 1e9;

  private CapacityPlanner() {
  }

  /**
   * What the plan is computed from. Immutable.
   *
   * @param totalUsers all users (sizes the L2)
   * @param dailyActiveUsers users active in a day (sizes the in-process cache)
   * @param peakQps recommendations per second at peak
   * @param cpuSecondsPerRequest CPU time one request costs
   * @param bytesPerCachedUser cache memory one user's features cost
   * @param memoryPerWorkerBytes process memory per worker (one worker per core); the guide's 100 MB
   * @param baseMemoryPerInstanceBytes memory an instance needs besides workers and cache (0 in the guide)
   * @param coresPerInstance the instance shape's cores
   * @param memoryPerInstanceBytes the instance shape's memory
   * @param cpuTarget the highest CPU share to plan for (the guide's 70%)
   * @param memoryTarget the highest memory share to plan for (the guide's 80%)
   * @param spareInstances instances on top, to survive losing some (1: N+1)
   * @param cacheHitRate share of feature lookups answered by a cache, for the store load
   */
  public record Inputs(
      long totalUsers, long dailyActiveUsers, double peakQps, double cpuSecondsPerRequest, double bytesPerCachedUser,
      double memoryPerWorkerBytes, double baseMemoryPerInstanceBytes, int coresPerInstance, double memoryPerInstanceBytes,
      double cpuTarget, double memoryTarget, int spareInstances, double cacheHitRate) {

    public Inputs {
      if (totalUsers < 0 || dailyActiveUsers < 0 || dailyActiveUsers > totalUsers) {
        throw new IllegalArgumentException("users must satisfy 0 <= dailyActiveUsers (" + dailyActiveUsers
            + ") <= totalUsers (" + totalUsers + ")");
      }
      nonNegative(peakQps, "peakQps");
      nonNegative(cpuSecondsPerRequest, "cpuSecondsPerRequest");
      nonNegative(bytesPerCachedUser, "bytesPerCachedUser");
      nonNegative(memoryPerWorkerBytes, "memoryPerWorkerBytes");
      nonNegative(baseMemoryPerInstanceBytes, "baseMemoryPerInstanceBytes");
      if (coresPerInstance < 1) {
        throw new IllegalArgumentException("coresPerInstance must be >= 1, was " + coresPerInstance);
      }
      if (!(memoryPerInstanceBytes > 0)) {
        throw new IllegalArgumentException("memoryPerInstanceBytes must be positive, was " + memoryPerInstanceBytes);
      }
      fraction(cpuTarget, "cpuTarget");
      fraction(memoryTarget, "memoryTarget");
      if (spareInstances < 0) {
        throw new IllegalArgumentException("spareInstances must be >= 0, was " + spareInstances);
      }
      if (!(cacheHitRate >= 0 && cacheHitRate <= 1)) {
        throw new IllegalArgumentException("cacheHitRate must be in [0, 1], was " + cacheHitRate);
      }
    }

    /**
     * The guide's worked example: 1,000,000 users, 100,000 daily active, 2,000 QPS at peak, 50 ms mean
     * response at 0.5 CPU per request, 10 KB per cached user, 100 MB per worker, instances of 8 CPU
     * and 8 GB at 70% CPU and 80% memory, one spare, 80% cache hits.
     */
    public static Inputs seedExample() {
      return new Inputs(1_000_000, 100_000, 2000, cpuSecondsFromResponseTime(0.050, 0.5), 10 * KB, 100 * MB, 0, 8,
          8 * GB, 0.70, 0.80, 1, 0.80);
    }

    /** These inputs with measured unit costs instead. */
    public Inputs withMeasured(double newCpuSecondsPerRequest, double newBytesPerCachedUser, double newMemoryPerWorker,
        double newBaseMemoryPerInstance) {
      return new Inputs(totalUsers, dailyActiveUsers, peakQps, newCpuSecondsPerRequest, newBytesPerCachedUser,
          newMemoryPerWorker, newBaseMemoryPerInstance, coresPerInstance, memoryPerInstanceBytes, cpuTarget, memoryTarget,
          spareInstances, cacheHitRate);
    }
  }

  /**
   * The computed deployment.
   *
   * @param cores CPU cores busy at peak (before the CPU target)
   * @param cacheBytes in-process cache for the daily active users
   * @param processBytes worker memory over all cores
   * @param totalMemoryBytes {@code cacheBytes + processBytes}
   * @param instances instances to run, spares included
   * @param coresPerInstance their cores
   * @param instanceMemoryBytes their memory (raised from the input shape when the need did not fit)
   * @param memoryNeededPerInstanceBytes what one instance needs
   * @param l2Bytes the L2 (Redis) memory for all users
   * @param storeReadsPerSecond feature lookups reaching the store at peak
   * @param explanation the arithmetic, one line per figure
   */
  public record Plan(
      double cores, double cacheBytes, double processBytes, double totalMemoryBytes, int instances, int coresPerInstance,
      double instanceMemoryBytes, double memoryNeededPerInstanceBytes, double l2Bytes, double storeReadsPerSecond,
      List<String> explanation) {

    public Plan {
      explanation = List.copyOf(explanation);
    }
  }

  /** Computes the plan for {@code in}. */
  public static Plan plan(Inputs in) {
    Objects.requireNonNull(in, "in");
    List<String> why = new ArrayList<>();
    double cores = in.peakQps() * in.cpuSecondsPerRequest();
    why.add(String.format(Locale.ROOT, "CPU: %,.0f QPS x %.6f CPU-s/request = %s cores", in.peakQps(),
        in.cpuSecondsPerRequest(), num(cores)));
    double cache = in.dailyActiveUsers() * in.bytesPerCachedUser();
    double workers = Math.ceil(cores - 1e-9);
    double process = workers * in.memoryPerWorkerBytes();
    double total = cache + process;
    why.add(String.format(Locale.ROOT, "memory: %,d users x %s = %s (cache) + %s workers x %s = %s (process) = %s",
        in.dailyActiveUsers(), bytes(in.bytesPerCachedUser()), bytes(cache), num(workers), bytes(in.memoryPerWorkerBytes()),
        bytes(process), bytes(total)));
    int forCpu = (int) Math.ceil(cores / (in.coresPerInstance() * in.cpuTarget()) - 1e-9);
    int instances = Math.max(1, forCpu) + in.spareInstances();
    why.add(String.format(Locale.ROOT, "instances: ceil(%s cores / (%d cores x %.0f%%)) + %d spare = %d", num(cores),
        in.coresPerInstance(), in.cpuTarget() * 100, in.spareInstances(), instances));
    double perInstance = cache + in.coresPerInstance() * in.memoryPerWorkerBytes() + in.baseMemoryPerInstanceBytes();
    double instanceMemory = in.memoryPerInstanceBytes();
    if (perInstance > instanceMemory * in.memoryTarget()) {
      instanceMemory = powerOfTwoGb(perInstance / in.memoryTarget());
    }
    why.add(String.format(Locale.ROOT, "per instance: %s (cache) + %d x %s (workers) + %s (base) = %s, fits %s x %.0f%%",
        bytes(cache), in.coresPerInstance(), bytes(in.memoryPerWorkerBytes()), bytes(in.baseMemoryPerInstanceBytes()),
        bytes(perInstance), bytes(instanceMemory), in.memoryTarget() * 100));
    double l2 = powerOfTwoGb(in.totalUsers() * in.bytesPerCachedUser() / in.memoryTarget());
    why.add(String.format(Locale.ROOT, "L2: %,d users x %s / %.0f%% -> %s", in.totalUsers(), bytes(in.bytesPerCachedUser()),
        in.memoryTarget() * 100, bytes(l2)));
    double storeReads = in.peakQps() * (1 - in.cacheHitRate());
    why.add(String.format(Locale.ROOT, "store: %,.0f QPS x %.0f%% misses = %,.0f requests/s reaching the store",
        in.peakQps(), (1 - in.cacheHitRate()) * 100, storeReads));
    why.add(String.format(Locale.ROOT, "recommended: %d instances of %d CPU / %s, L2 %s", instances, in.coresPerInstance(),
        bytes(instanceMemory), bytes(l2)));
    return new Plan(cores, cache, process, total, instances, in.coresPerInstance(), instanceMemory, perInstance, l2,
        storeReads, why);
  }

  /** The smallest power-of-two number of (decimal) gigabytes holding {@code bytes}; at least 1 GB. */
  static double powerOfTwoGb(double bytes) {
    double gb = 1;
    while (gb * GB < bytes - 1e-6) {
      gb *= 2;
    }
    return gb * GB;
  }

  /** CPU-seconds per request from a mean response time and the share of a core busy meanwhile. */
  public static double cpuSecondsFromResponseTime(double meanResponseSeconds, double cpuShare) {
    return meanResponseSeconds * cpuShare;
  }

  /** Bytes in the largest decimal unit that keeps the number at least 1. */
  public static String bytes(double b) {
    if (b >= GB) {
      return num(b / GB) + " GB";
    }
    if (b >= MB) {
      return num(b / MB) + " MB";
    }
    if (b >= KB) {
      return num(b / KB) + " KB";
    }
    return num(b) + " B";
  }

  private static String num(double v) {
    if (v == Math.rint(v)) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : v >= 10 ? "%.1f" : "%.2f", v);
  }

  private static void nonNegative(double v, String name) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, was " + v);
    }
  }

  private static void fraction(double v, String name) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1], was " + v);
    }
  }
}
