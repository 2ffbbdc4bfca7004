package dev.personalization.model;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link Predictor#linear} and {@link Predictor#logistic}. */
final class LinearPredictor implements Predictor {

  private final List<String> columns;
  private final float[] weights;
  private final float bias;
  private final boolean sigmoid;
  private final String version;

  LinearPredictor(List<String> columns, float[] weights, float bias, boolean sigmoid) {
    this.columns = List.copyOf(columns);
    this.weights = weights.clone();
    this.bias = bias;
    this.sigmoid = sigmoid;
    if (this.columns.size() != this.weights.length) {
      throw new IllegalArgumentException(
          this.columns.size() + " columns but " + this.weights.length + " weights");
    }
    for (int i = 0; i < this.weights.length; i++) {
      if (!Float.isFinite(this.weights[i])) {
        throw new IllegalArgumentException("weight of column '" + this.columns.get(i) + "' is " + this.weights[i]);
      }
    }
    if (!Float.isFinite(bias)) {
      throw new IllegalArgumentException("bias is " + bias);
    }
    this.version = (sigmoid ? "logistic-" : "linear-") + digest();
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  @Override
  public CompletableFuture<float[]> predict(FeatureRows rows) {
    if (rows.width() != weights.length) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "rows have width " + rows.width() + ", the model expects " + weights.length));
    }
    float[] data = rows.data();
    int width = rows.width();
    float[] scores = new float[rows.rowCount()];
    for (int r = 0, base = 0; r < scores.length; r++, base += width) {
      float z = bias;
      for (int c = 0; c < width; c++) {
        z += weights[c] * data[base + c];
      }
      scores[r] = sigmoid ? (float) (1.0 / (1.0 + Math.exp(-z))) : z;
    }
    return CompletableFuture.completedFuture(scores);
  }

  /** The first 12 hex digits of SHA-256 over the parameters: equal models, equal versions. */
  private String digest() {
    ByteBuffer bytes = ByteBuffer.allocate(4 * weights.length + 4);
    for (float w : weights) {
      bytes.putFloat(w);
    }
    bytes.putFloat(bias);
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes.array());
      return HexFormat.of().formatHex(sha, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
