/**
 * An open-loop load tester (the wrk2 way): requests are sent on a fixed schedule whatever the
 * target does, and each latency is measured from the request's <em>intended</em> start, so a stall
 * shows up as the latency every waiting request really saw instead of hiding in a slower send rate.
 *
 * <ul>
 *   <li>{@link dev.personalization.bench.load.Target}: what is loaded — the engine in this process
 *       ({@link dev.personalization.bench.load.InProcessTarget}, built by a pluggable
 *       {@link dev.personalization.bench.load.EngineFactory}) or a host service over HTTP/2
 *       ({@link dev.personalization.bench.load.HttpTarget}).
 *   <li>{@link dev.personalization.bench.load.OpenLoopRunner} runs one
 *       {@link dev.personalization.bench.load.StepPlan} and returns a
 *       {@link dev.personalization.bench.load.StepResult}.
 *   <li>{@link dev.personalization.bench.load.PassCriteria} and
 *       {@link dev.personalization.bench.load.BreakCriteria} judge steps;
 *       {@link dev.personalization.bench.load.LoadTester} searches the maximum sustainable rate and
 *       runs the stress test.
 *   <li>{@link dev.personalization.bench.load.ConsoleReport},
 *       {@link dev.personalization.bench.load.JsonReport} and
 *       {@link dev.personalization.bench.load.HtmlReport} write the results;
 *       {@link dev.personalization.bench.load.LoadTestCommand} is the command line.
 * </ul>
 */
package dev.personalization.bench.load;
