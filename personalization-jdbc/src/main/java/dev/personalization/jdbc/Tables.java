package dev.personalization.jdbc;

import java.util.regex.Pattern;

/**
 * The store's table names under a validated prefix. The prefix is the only text ever concatenated
 * into SQL; it matches {@code [a-z][a-z0-9_]{0,29}}, so names stay valid, unquoted identifiers.
 */
record Tables(String prefix) {

  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,29}");

  Tables {
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("tablePrefix must match [a-z][a-z0-9_]{0,29}, was '" + prefix + "'");
    }
  }

  String schemaVersion() {
    return prefix + "schema_version";
  }

  String userFeatures() {
    return prefix + "user_features";
  }

  String itemFeatures() {
    return prefix + "item_features";
  }

  String eventIds() {
    return prefix + "event_ids";
  }

  String events() {
    return prefix + "events";
  }

  String eventsDefault() {
    return prefix + "events_default";
  }

  /** The monthly partition of events for {@code year}/{@code month}, e.g. {@code pz_events_p202611}. */
  String eventsPartition(int year, int month) {
    return String.format("%sevents_p%04d%02d", prefix, year, month);
  }
}
