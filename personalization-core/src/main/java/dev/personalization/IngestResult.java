package dev.personalization;

import java.util.List;

/**
 * What {@code ingest} did with a batch.
 *
 * @param applied events new to the engine whose features were updated
 * @param duplicates events whose id had been ingested before, ignored
 * @param rejected invalid events, each naming its id and field; they changed nothing
 */
public record IngestResult(int applied, int duplicates, List<InvalidEventException> rejected) {

  public IngestResult {
    rejected = List.copyOf(rejected);
  }
}
