package dev.personalization.model;

import java.util.Objects;

/**
 * The scores of one {@link Predictor#predictWithin} call and the version of the model that produced
 * them. The array is owned by the receiver.
 *
 * @param scores one score per row, higher is better
 * @param modelVersion the {@link Predictor#version()} of the model that scored the rows
 */
public record Prediction(float[] scores, String modelVersion) {

  public Prediction {
    Objects.requireNonNull(scores, "scores");
    Objects.requireNonNull(modelVersion, "modelVersion");
  }
}
