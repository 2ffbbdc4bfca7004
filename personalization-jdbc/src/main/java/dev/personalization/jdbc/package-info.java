/**
 * JDBC feature stores. Empty for now: the HikariCP + Jdbi store with read/write routing arrives with
 * its own issue; until then the engine runs on {@code FeatureStore.inMemory()}.
 */
package dev.personalization.jdbc;
