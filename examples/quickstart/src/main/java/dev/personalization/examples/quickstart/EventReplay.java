package dev.personalization.examples.quickstart;

import dev.personalization.Event;
import dev.personalization.IngestResult;
import dev.personalization.PersonalizationEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Replays the shop's recent history into the engine: events oldest first, in batches, from several
 * threads that each own the events of a share of the users, the way consumers of a stream
 * partitioned by user would. Owning users means two threads never update the same user at once.
 *
 * <p>Events are generated on the calling thread from a seeded {@link Random}, so the same scale
 * always produces the same events; each partition ingests its batches in order, one at a time.
 */
final class EventReplay {

  private final SyntheticShop shop;
  private final DemoScale scale;

  EventReplay(SyntheticShop shop, DemoScale scale) {
    this.shop = shop;
    this.scale = scale;
  }

  /**
   * Ingests {@code scale.events()} events spread over {@code history} up to a minute ago.
   *
   * @return the number of events the engine applied
   * @throws IllegalStateException when the engine rejects a generated event (a bug of the demo) or an
   *     ingest call fails
   */
  int replay(PersonalizationEngine engine, Duration history) {
    Random random = new Random(scale.seed() + 1);
    Instant to = Instant.now().minusSeconds(60);
    Instant from = to.minus(history);
    int partitions = scale.ingestThreads();
    ExecutorService[] consumers = new ExecutorService[partitions];
    for (int p = 0; p < partitions; p++) {
      String name = "quickstart-ingest-" + (p + 1);
      consumers[p] = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
      });
    }
    List<List<Event>> batches = new ArrayList<>();
    List<List<Future<IngestResult>>> submitted = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      batches.add(new ArrayList<>(scale.batchSize()));
      submitted.add(new ArrayList<>());
    }
    int applied = 0;
    try {
      for (int n = 0; n < scale.events(); n++) {
        Event e = shop.event(n, scale.events(), from, to, random);
        int p = Math.floorMod(e.userId().hashCode(), partitions);
        List<Event> batch = batches.get(p);
        batch.add(e);
        if (batch.size() == scale.batchSize()) {
          applied += submit(engine, consumers[p], batch, submitted.get(p));
          batches.set(p, new ArrayList<>(scale.batchSize()));
        }
      }
      for (int p = 0; p < partitions; p++) {
        if (!batches.get(p).isEmpty()) {
          applied += submit(engine, consumers[p], batches.get(p), submitted.get(p));
        }
      }
      for (List<Future<IngestResult>> pending : submitted) {
        for (Future<IngestResult> f : pending) {
          applied += check(f);
        }
      }
      return applied;
    } finally {
      for (ExecutorService c : consumers) {
        c.shutdownNow();
      }
      for (ExecutorService c : consumers) {
        try {
          c.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * Queues a batch on its partition. At most two batches per partition are outstanding, which
   * bounds the memory held by events not yet ingested; returns what finished batches applied.
   */
  private static int submit(PersonalizationEngine engine, ExecutorService consumer, List<Event> batch,
      List<Future<IngestResult>> pending) {
    int applied = 0;
    while (pending.size() >= 2) {
      applied += check(pending.remove(0));
    }
    pending.add(consumer.submit(() -> engine.ingest(batch)));
    return applied;
  }

  private static int check(Future<IngestResult> f) {
    IngestResult result;
    try {
      result = f.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("ingest failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while ingesting", e);
    }
    if (!result.rejected().isEmpty()) {
      throw new IllegalStateException("the engine rejected " + result.rejected().size() + " generated events, first: "
          + result.rejected().get(0).getMessage());
    }
    return result.applied();
  }
}
