package dev.personalization.model;

import java.util.Objects;

/**
 * A row-major block of model input: {@code rowCount} rows of {@code width} floats at the start of
 * {@code data}. {@code data} is a reused buffer and may be longer; a predictor must not keep a
 * reference to it after its returned future completes.
 *
 * @param data the buffer
 * @param rowCount number of rows, {@code >= 0}
 * @param width floats per row, {@code >= 1}
 */
public record FeatureRows(float[] data, int rowCount, int width) {

  public FeatureRows {
    Objects.requireNonNull(data, "data");
    if (rowCount < 0 || width < 1 || (long) rowCount * width > data.length) {
      throw new IllegalArgumentException(
          "rows " + rowCount + " x width " + width + " do not fit a buffer of " + data.length + " floats");
    }
  }

  /** The value at {@code row}, {@code column}. */
  public float get(int row, int column) {
    return data[row * width + column];
  }
}
