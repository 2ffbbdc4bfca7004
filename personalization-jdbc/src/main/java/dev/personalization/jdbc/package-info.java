/**
 * A durable {@link dev.personalization.feature.FeatureStore} on JDBC:
 * {@link dev.personalization.jdbc.JdbcFeatureStore}, built on HikariCP pools and Jdbi, for
 * PostgreSQL (production) and H2 (embedded default, tests).
 *
 * <p>What it does: creates and migrates its own tables (versioned, idempotent DDL); reads many ids
 * in one statement; writes with compare-and-set on a version column; keeps an idempotent event log,
 * partitioned by month on PostgreSQL with a default partition and a scheduled maintainer; routes
 * writes to one primary and reads to healthy replicas, with read-your-writes per entity; logs and
 * counts slow statements.
 *
 * <p>Public: {@link dev.personalization.jdbc.JdbcFeatureStore} and its builder,
 * {@link dev.personalization.jdbc.JdbcEndpoint}, {@link dev.personalization.jdbc.PoolSettings},
 * {@link dev.personalization.jdbc.PartitionMaintenance} and the exceptions. Everything else is
 * package-private and may change.
 */
package dev.personalization.jdbc;
