package dev.personalization.bench.load;

/** Runs one step of load. {@link OpenLoopRunner} is the real one; tests substitute simulations. */
@FunctionalInterface
public interface StepRunner {

  /**
   * Runs {@code plan} to completion (including the drain of outstanding requests).
   *
   * @return the measurements, {@link Verdict#UNJUDGED}
   * @throws InterruptedException if interrupted while waiting
   */
  StepResult run(StepPlan plan) throws InterruptedException;
}
