package dev.personalization;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a recommendation is shown. Three are built in; hosts may name their own, which get the
 * popularity candidates recorded for that scenario.
 *
 * @param name {@code [a-z0-9_-]{1,64}}
 */
public record Scenario(String name) {

  /** The home page: popular items for the scenario and overall. */
  public static final Scenario HOMEPAGE = new Scenario("homepage");
  /** Search: re-ranks the host's search results, passed as candidate ids. */
  public static final Scenario SEARCH = new Scenario("search");
  /** A category page: popular items of the category in context attribute {@code category_id}. */
  public static final Scenario CATEGORY = new Scenario("category");

  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");

  public Scenario {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new InvalidRequestException("scenario", "must match [a-z0-9_-]{1,64}, was '" + name + "'");
    }
  }

  /** The scenario named {@code name}. */
  public static Scenario of(String name) {
    return new Scenario(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
