package dev.personalization.bench.load;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * {@link ResourceProbe#thisJvm()}. Heap is judged <em>after</em> collections because the used heap
 * between collections is mostly garbage waiting for the next one; and by the lowest such reading,
 * because young collections leave old garbage behind (see {@link ResourceUsage#heap()}). That is
 * what the process really needs, and what "memory below 80%" is about.
 */
final class JvmResourceProbe implements ResourceProbe {

  static final JvmResourceProbe INSTANCE = new JvmResourceProbe();

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final Set<String> heapPools = new HashSet<>();
  private final AtomicLong maxAfterGc = new AtomicLong(-1);
  private final AtomicLong minAfterGc = new AtomicLong(Long.MAX_VALUE);
  /** The occupancy after the most recent collection, window or not. */
  private final AtomicLong lastAfterGc = new AtomicLong(-1);

  private JvmResourceProbe() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener((notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
            long used = 0;
            for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
              if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
              }
            }
            long u = used;
            maxAfterGc.accumulateAndGet(u, Math::max);
            minAfterGc.accumulateAndGet(u, Math::min);
            lastAfterGc.set(u);
          }
        }, null, null);
      }
    }
  }

  @Override
  public Window open() {
    maxAfterGc.set(-1);
    minAfterGc.set(Long.MAX_VALUE);
    long cpu0 = os.getProcessCpuTime();
    long wall0 = System.nanoTime();
    return () -> {
      long cpu = os.getProcessCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      int cores = Runtime.getRuntime().availableProcessors();
      long max = Runtime.getRuntime().maxMemory();
      long peak = maxAfterGc.get();
      long low = minAfterGc.get();
      // Without a collection in the window the heap never showed a need beyond the last
      // after-collection reading; the used heap itself would be mostly garbage.
      long last = lastAfterGc.get();
      long now = last >= 0 ? last : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      long used = low != Long.MAX_VALUE ? low : now;
      double cpuFraction = cpu < 0 || wall <= 0 ? Double.NaN : (double) cpu / ((double) wall * cores);
      return new ResourceUsage(cpuFraction, cpu < 0 ? Double.NaN : cpu / 1e9, (double) used / max, used,
          peak >= 0 ? peak : now, max);
    };
  }
}
