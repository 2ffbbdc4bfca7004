package dev.personalization.bench.load;

/** Measures the CPU and heap of the system under test over a window. */
public interface ResourceProbe {

  /** Starts a window. Windows do not overlap: the load tester runs one step at a time. */
  Window open();

  /** An open measurement window. */
  interface Window {
    /** Ends the window and returns what was used in it. */
    ResourceUsage close();
  }

  /** Measures nothing: every figure is unknown. */
  static ResourceProbe none() {
    return () -> () -> ResourceUsage.UNKNOWN;
  }

  /** This JVM: process CPU from the operating system bean, heap occupancy after each collection. */
  static ResourceProbe thisJvm() {
    return JvmResourceProbe.INSTANCE;
  }
}
