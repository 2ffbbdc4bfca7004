package dev.personalization.bench.capacity;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints capacity plans: the guide's worked example, then the same load recomputed with unit costs
 * given on the command line (measured by the load test and {@link HeapPerCachedUser}).
 *
 * <pre>
 * java -cp personalization-bench/target/benchmarks.jar dev.personalization.bench.capacity.CapacityPlanCommand \
 *     --cpu-seconds-per-request 0.00025 --bytes-per-user 900 --memory-per-worker-mb 0 --base-memory-mb 512
 * </pre>
 *
 * <p>Options: {@code --users}, {@code --dau}, {@code --peak-qps} change the load (default: the
 * guide's); {@code --cpu-seconds-per-request}, {@code --bytes-per-user}, {@code --memory-per-worker-mb},
 * {@code --base-memory-mb} are the measured unit costs. Exit code 2 for bad options.
 */
public final class CapacityPlanCommand {

  private CapacityPlanCommand() {
  }

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CapacityPlanner.Inputs seed = CapacityPlanner.Inputs.seedExample();
    long users = seed.totalUsers();
    long dau = seed.dailyActiveUsers();
    double qps = seed.peakQps();
    Double cpu = null;
    Double bytesPerUser = null;
    double workerMb = 0;
    double baseMb = 0;
    try {
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + args[i]);
        }
        String v = args[i + 1];
        switch (args[i]) {
          case "--users" -> users = Long.parseLong(v);
          case "--dau" -> dau = Long.parseLong(v);
          case "--peak-qps" -> qps = Double.parseDouble(v);
          case "--cpu-seconds-per-request" -> cpu = Double.parseDouble(v);
          case "--bytes-per-user" -> bytesPerUser = Double.parseDouble(v);
          case "--memory-per-worker-mb" -> workerMb = Double.parseDouble(v);
          case "--base-memory-mb" -> baseMb = Double.parseDouble(v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
    } catch (IllegalArgumentException e) {
      err.println("capacity plan: " + e.getMessage());
      return 2;
    }
    CapacityPlanner.Inputs load = new CapacityPlanner.Inputs(users, dau, qps, seed.cpuSecondsPerRequest(),
        seed.bytesPerCachedUser(), seed.memoryPerWorkerBytes(), seed.baseMemoryPerInstanceBytes(), seed.coresPerInstance(),
        seed.memoryPerInstanceBytes(), seed.cpuTarget(), seed.memoryTarget(), seed.spareInstances(), seed.cacheHitRate());
    out.println("The performance guide's unit costs (0.5 CPU x 50 ms per request, 10 KB per user, 100 MB per worker):");
    print(CapacityPlanner.plan(load), out);
    if (cpu != null || bytesPerUser != null) {
      CapacityPlanner.Inputs measured = load.withMeasured(cpu != null ? cpu : load.cpuSecondsPerRequest(),
          bytesPerUser != null ? bytesPerUser : load.bytesPerCachedUser(), workerMb * CapacityPlanner.MB,
          baseMb * CapacityPlanner.MB);
      out.println();
      out.printf(Locale.ROOT, "Measured unit costs (%.6f CPU-s per request, %s per user, %s per worker, %s base):%n",
          measured.cpuSecondsPerRequest(), CapacityPlanner.bytes(measured.bytesPerCachedUser()),
          CapacityPlanner.bytes(measured.memoryPerWorkerBytes()), CapacityPlanner.bytes(measured.baseMemoryPerInstanceBytes()));
      print(CapacityPlanner.plan(measured), out);
    }
    return 0;
  }

  private static void print(CapacityPlanner.Plan plan, PrintStream out) {
    for (String line : plan.explanation()) {
      out.println("  " + line);
    }
  }
}
