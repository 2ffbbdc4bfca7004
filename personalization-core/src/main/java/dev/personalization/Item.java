package dev.personalization;

import java.util.Objects;

/**
 * A catalog entry: its id, category and the item features the model reads (in the order of the
 * engine's item columns).
 *
 * @param id the item id
 * @param category the category id, used by category candidates and affinity features
 * @param features the item's feature values; copied, must be finite
 */
public record Item(String id, String category, float[] features) {

  public Item {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(category, "category");
    features = Objects.requireNonNull(features, "features").clone();
  }

  /** A copy of the features. */
  @Override
  public float[] features() {
    return features.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Item other && id.equals(other.id) && category.equals(other.category)
        && java.util.Arrays.equals(features, other.features);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, category, java.util.Arrays.hashCode(features));
  }

  @Override
  public String toString() {
    return "Item{" + id + ", category=" + category + ", features=" + java.util.Arrays.toString(features) + "}";
  }
}
