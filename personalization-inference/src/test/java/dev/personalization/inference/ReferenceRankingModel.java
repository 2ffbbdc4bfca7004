package dev.personalization.inference;

/**
 * A pure-Java implementation of the standard ranking network, written from its documented
 * definition and independent of the generator's own forward pass: double precision throughout, so
 * it is the yardstick that ONNX Runtime's FP32 and INT8 outputs are held to.
 */
final class ReferenceRankingModel {

  private final StandardRankingModel.Weights w;

  ReferenceRankingModel(StandardRankingModel.Weights w) {
    this.w = w;
  }

  /** sigmoid(relu(relu(x̂·W1 + b1)·W2 + b2)·W3 + x̂·Ww + b3) for each row. */
  double[] scores(float[] rows, int n) {
    int f = w.width();
    double[] out = new double[n];
    double[] x = new double[f];
    double[] h1 = new double[StandardRankingModel.H1];
    double[] h2 = new double[StandardRankingModel.H2];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < f; i++) {
        // The graph scales in float32 (Mul then Add), so the reference does too.
        float scaled = rows[r * f + i] * w.scale()[i];
        x[i] = scaled + w.offset()[i];
      }
      for (int j = 0; j < h1.length; j++) {
        double s = w.b1()[j];
        for (int i = 0; i < f; i++) {
          s += x[i] * w.w1()[i][j];
        }
        h1[j] = s > 0 ? s : 0;
      }
      for (int k = 0; k < h2.length; k++) {
        double s = w.b2()[k];
        for (int j = 0; j < h1.length; j++) {
          s += h1[j] * w.w2()[j][k];
        }
        h2[k] = s > 0 ? s : 0;
      }
      double z = w.b3();
      for (int k = 0; k < h2.length; k++) {
        z += h2[k] * w.w3()[k];
      }
      for (int i = 0; i < f; i++) {
        z += x[i] * w.wide()[i];
      }
      out[r] = 1 / (1 + Math.exp(-z));
    }
    return out;
  }
}
