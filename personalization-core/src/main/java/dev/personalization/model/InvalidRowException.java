package dev.personalization.model;

import dev.personalization.PersonalizationException;

/**
 * A row holds a value the model must not see (NaN, an infinity, or a non-integral id); it is
 * rejected before it reaches the model. Names the row and the feature.
 */
public class InvalidRowException extends PersonalizationException {

  private final int row;
  private final String column;

  /**
   * @param row the row's index in its {@link FeatureRows}
   * @param column the feature's column name
   * @param message what is wrong with the value
   */
  public InvalidRowException(int row, String column, String message) {
    super("row " + row + ", feature '" + column + "': " + message);
    this.row = row;
    this.column = column;
  }

  /** The row's index in its {@link FeatureRows}. */
  public int row() {
    return row;
  }

  /** The feature's column name. */
  public String column() {
    return column;
  }
}
