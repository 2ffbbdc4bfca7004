package dev.personalization.jdbc;

import java.util.List;

/**
 * What one run of partition maintenance did.
 *
 * @param created the monthly partitions created, by table name, oldest first
 * @param movedFromDefault events moved out of the default partition into a partition created for
 *     their month
 * @param leftInDefault events still in the default partition: dated in months this run does not
 *     create partitions for (more than the configured months ahead)
 */
public record PartitionMaintenance(List<String> created, long movedFromDefault, long leftInDefault) {

  public PartitionMaintenance {
    created = List.copyOf(created);
  }

  /** The result of a database without partitions (H2): nothing to do. */
  static PartitionMaintenance none() {
    return new PartitionMaintenance(List.of(), 0, 0);
  }
}
