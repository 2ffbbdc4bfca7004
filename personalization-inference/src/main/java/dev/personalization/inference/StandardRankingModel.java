package dev.personalization.inference;

import dev.personalization.PersonalizationEngine;
import dev.personalization.feature.FeatureUpdaters;
import dev.personalization.model.RowAssembler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The ranking model the project ships, generated reproducibly by this class: a wide-and-deep network
 * over the engine's {@linkplain RowAssembler#standard standard} row layout,
 * <pre>
 *   x̂     = x · scale + offset                      per-column scaling to about [0, 1]
 *   h1    = relu(x̂ · W1 + b1)                       F → 64
 *   h2    = relu(h1 · W2 + b2)                      64 → 32
 *   score = sigmoid(h2 · W3 + x̂ · Ww + b3)          32 → 1, plus the wide (linear) term
 * </pre>
 * The wide weights are the engine's {@linkplain RowAssembler#standardStarterWeights starter
 * weights}, so the model ranks sensibly (category affinity and popularity first) before anyone
 * trains it; the deep weights are He-initialised from a seeded {@link SplittableRandom} and add a
 * bounded non-linear term. The model is for demos, tests and benchmarks, not a trained model.
 *
 * <p>Three variants share those weights: {@link Variant#FP32}; {@link Variant#INT8_STATIC}, in QDQ
 * form (QuantizeLinear/DequantizeLinear around every MatMul input, activation ranges calibrated
 * on seeded sample rows, weights int8 per output channel); and {@link Variant#INT8_DYNAMIC}
 * (DynamicQuantizeLinear + MatMulInteger: each activation's uint8 scale is computed from the batch
 * at run time, so a row's score depends on its batchmates).
 *
 * <p>The files under {@code dev/personalization/inference/models/} are this generator's output
 * for the {@linkplain #SHIPPED_ITEM_COLUMNS default layout}; {@code main} rewrites them and a test
 * checks they are byte-identical to a fresh generation. Only {@code java.lang.StrictMath} and
 * seeded generators are used, so the bytes are the same on every JVM.
 */
public final class StandardRankingModel {

  /** The item columns of the shipped model files: those of the quickstart demo. */
  public static final List<String> SHIPPED_ITEM_COLUMNS = List.of("quality", "price_level", "freshness");
  /** The model's input name; its metadata entry {@code columns:features} lists the columns. */
  public static final String INPUT = "features";
  /** The model's output name, shape {@code [N, 1]}. */
  public static final String OUTPUT = "score";

  static final int H1 = 64;
  static final int H2 = 32;
  private static final long SEED = 0x5EED_2026_0604L;
  private static final String RESOURCE_DIR = "dev/personalization/inference/models/";

  /** The shipped model's variants. */
  public enum Variant {
    /** Float weights and activations. */
    FP32("ranking-fp32.onnx"),
    /** Static INT8 in QDQ form with calibrated activation ranges. */
    INT8_STATIC("ranking-int8-static.onnx"),
    /** Dynamic INT8: activation scales computed per batch at run time. */
    INT8_DYNAMIC("ranking-int8-dynamic.onnx");

    private final String fileName;

    Variant(String fileName) {
      this.fileName = fileName;
    }

    /** The file name of the shipped model. */
    public String fileName() {
      return fileName;
    }

    /** The classpath resource of the shipped model. */
    public String resource() {
      return RESOURCE_DIR + fileName;
    }
  }

  private StandardRankingModel() {
  }

  /** The engine's standard row columns for the given item columns and every other default. */
  public static List<String> standardColumns(List<String> itemColumns) {
    return RowAssembler.standard(List.copyOf(PersonalizationEngine.DEFAULT_EVENT_TYPES.keySet()),
        FeatureUpdaters.DEFAULT_HALF_LIVES, PersonalizationEngine.DEFAULT_AFFINITY_BUCKETS,
        PersonalizationEngine.DEFAULT_AFFINITY_HALF_LIFE, itemColumns).columns();
  }

  /** The columns of the shipped model files. */
  public static List<String> shippedColumns() {
    return standardColumns(SHIPPED_ITEM_COLUMNS);
  }

  /**
   * The model's bytes for {@code columns}: the shipped file when they are the
   * {@linkplain #shippedColumns shipped columns}, else a fresh generation by the same recipe.
   */
  public static byte[] bytes(List<String> columns, Variant variant) {
    if (columns.equals(shippedColumns())) {
      try (InputStream in = StandardRankingModel.class.getClassLoader().getResourceAsStream(variant.resource())) {
        if (in != null) {
          return in.readAllBytes();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + variant.resource(), e);
      }
    }
    return generate(columns, variant);
  }

  /** Generates the model for {@code columns} (any standard layout, or any names at all). */
  public static byte[] generate(List<String> columns, Variant variant) {
    Weights w = Weights.of(columns);
    return switch (variant) {
      case FP32 -> fp32(w);
      case INT8_STATIC -> int8Static(w);
      case INT8_DYNAMIC -> int8Dynamic(w);
    };
  }

  // ---------------------------------------------------------------- weights and sample rows

  /** Every parameter of the network, FP32; row-major {@code [in][out]} matrices as in ONNX MatMul. */
  record Weights(List<String> columns, float[] scale, float[] offset, float[][] w1, float[] b1, float[][] w2,
      float[] b2, float[] w3, float[] wide, float b3) {

    static Weights of(List<String> columns) {
      int f = columns.size();
      float[] scale = new float[f];
      float[] offset = new float[f];
      for (int i = 0; i < f; i++) {
        float[] range = range(columns.get(i));
        scale[i] = 1f / (range[1] - range[0]);
        offset[i] = -range[0] * scale[i];
      }
      SplittableRandom rnd = new SplittableRandom(SEED ^ columns.hashCode());
      float[][] w1 = gaussian(rnd, f, H1, StrictMath.sqrt(2.0 / f));
      float[] b1 = gaussianVector(rnd, H1, 0.05);
      float[][] w2 = gaussian(rnd, H1, H2, StrictMath.sqrt(2.0 / H1));
      float[] b2 = gaussianVector(rnd, H2, 0.05);
      float[] w3 = gaussianVector(rnd, H2, 0.5 * StrictMath.sqrt(1.0 / H2));
      // The wide part is the starter logistic model, re-expressed over the scaled inputs.
      float[] starter = RowAssembler.standardStarterWeights(columns);
      float[] wide = new float[f];
      double bias = -3.0;
      for (int i = 0; i < f; i++) {
        wide[i] = starter[i] / scale[i];
        bias -= (double) wide[i] * offset[i];
      }
      // Centre the deep term on the calibration rows so that it reshapes scores without shifting them.
      Weights draft = new Weights(List.copyOf(columns), scale, offset, w1, b1, w2, b2, w3, wide, (float) bias);
      float[] rows = sampleRows(columns, 2048, SEED + 1);
      double deepMean = 0;
      for (int r = 0; r < 2048; r++) {
        deepMean += draft.forward(rows, r, null)[0] - draft.wideLogit(rows, r);
      }
      deepMean /= 2048;
      return new Weights(draft.columns, scale, offset, w1, b1, w2, b2, w3, wide, (float) (bias - deepMean));
    }

    int width() {
      return columns.size();
    }

    /** Scaled input of row {@code r}. */
    float[] scaled(float[] rows, int r) {
      int f = width();
      float[] x = new float[f];
      for (int i = 0; i < f; i++) {
        x[i] = rows[r * f + i] * scale[i] + offset[i];
      }
      return x;
    }

    double wideLogit(float[] rows, int r) {
      float[] x = scaled(rows, r);
      double z = b3;
      for (int i = 0; i < x.length; i++) {
        z += (double) x[i] * wide[i];
      }
      return z;
    }

    /**
     * The FP32 forward pass in double precision: {@code {logit}}; when {@code ranges} is given,
     * widens {@code ranges[0..2]} ({min, max} of x̂, h1, h2) for calibration.
     */
    double[] forward(float[] rows, int r, double[][] ranges) {
      float[] x = scaled(rows, r);
      double[] h1 = new double[H1];
      for (int j = 0; j < H1; j++) {
        double s = b1[j];
        for (int i = 0; i < x.length; i++) {
          s += x[i] * (double) w1[i][j];
        }
        h1[j] = Math.max(0, s);
      }
      double[] h2 = new double[H2];
      for (int k = 0; k < H2; k++) {
        double s = b2[k];
        for (int j = 0; j < H1; j++) {
          s += h1[j] * w2[j][k];
        }
        h2[k] = Math.max(0, s);
      }
      double z = b3;
      for (int k = 0; k < H2; k++) {
        z += h2[k] * w3[k];
      }
      for (int i = 0; i < x.length; i++) {
        z += (double) x[i] * wide[i];
      }
      if (ranges != null) {
        widen(ranges[0], x);
        widen(ranges[1], h1);
        widen(ranges[2], h2);
      }
      return new double[] {z};
    }

    private static void widen(double[] range, float[] v) {
      for (float x : v) {
        range[0] = Math.min(range[0], x);
        range[1] = Math.max(range[1], x);
      }
    }

    private static void widen(double[] range, double[] v) {
      for (double x : v) {
        range[0] = Math.min(range[0], x);
        range[1] = Math.max(range[1], x);
      }
    }
  }

  /** The raw value range of a standard column, by name; unknown columns are taken as [0, 1]. */
  static float[] range(String column) {
    if (column.equals("hour_sin") || column.equals("hour_cos")) {
      return new float[] {-1, 1};
    }
    if (column.equals("category_affinity") || column.equals("popularity") || column.startsWith("item_")
        || column.startsWith("device_") || column.equals("has_query")) {
      return new float[] {0, 1};
    }
    if (column.matches("[a-z0-9_]+_\\d+[smhd]")) {
      // log1p of a decayed event count: 6 is about 400 events.
      return new float[] {0, 6};
    }
    return new float[] {0, 1};
  }

  /**
   * {@code n} plausible rows for {@code columns}, row-major, drawn from a seeded generator: sparse
   * log-scaled activity counters, skewed affinity and popularity, uniform item features, a one-hot
   * device, an hour on the unit circle and an occasional query.
   */
  public static float[] sampleRows(List<String> columns, int n, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int f = columns.size();
    float[] out = new float[n * f];
    for (int r = 0; r < n; r++) {
      int device = rnd.nextInt(3);
      double hour = rnd.nextDouble() * 2 * StrictMath.PI;
      for (int i = 0; i < f; i++) {
        String c = columns.get(i);
        float v;
        if (c.equals("category_affinity")) {
          double u = rnd.nextDouble();
          v = (float) (u * u);
        } else if (c.equals("popularity")) {
          double u = rnd.nextDouble();
          v = (float) (u * u * u);
        } else if (c.startsWith("device_")) {
          v = c.equals(List.of("device_mobile", "device_desktop", "device_tablet").get(device)) ? 1f : 0f;
        } else if (c.equals("hour_sin")) {
          v = (float) StrictMath.sin(hour);
        } else if (c.equals("hour_cos")) {
          v = (float) StrictMath.cos(hour);
        } else if (c.equals("has_query")) {
          v = rnd.nextDouble() < 0.2 ? 1f : 0f;
        } else if (range(c)[1] == 6) {
          v = rnd.nextDouble() < 0.4 ? 0f : (float) StrictMath.log1p(-20 * StrictMath.log(1 - rnd.nextDouble()));
          v = Math.min(v, 6f);
        } else {
          v = (float) rnd.nextDouble();
        }
        out[r * f + i] = v;
      }
    }
    return out;
  }

  private static float[][] gaussian(SplittableRandom rnd, int rows, int cols, double std) {
    float[][] m = new float[rows][cols];
    for (float[] row : m) {
      for (int j = 0; j < cols; j++) {
        row[j] = (float) (gauss(rnd) * std);
      }
    }
    return m;
  }

  private static float[] gaussianVector(SplittableRandom rnd, int n, double std) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (gauss(rnd) * std);
    }
    return v;
  }

  /** Box–Muller with StrictMath: the same numbers on every JVM. */
  private static double gauss(SplittableRandom rnd) {
    double u1 = 1 - rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
  }

  // ---------------------------------------------------------------- graphs

  private static Map<String, String> metadata(Weights w, Variant v) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("columns:" + INPUT, String.join(",", w.columns()));
    m.put("model", "dev.personalization standard ranking model");
    m.put("variant", v.name().toLowerCase(Locale.ROOT));
    return m;
  }

  private static byte[] finish(OnnxWriter.Graph g, Weights w, Variant v) {
    g.input(INPUT, OnnxWriter.FLOAT, "N", (long) w.width());
    g.output(OUTPUT, OnnxWriter.FLOAT, "N", 1L);
    return g.model(8, Map.of("", 13), "dev.personalization.inference.StandardRankingModel", metadata(w, v));
  }

  /** x̂ = x · scale + offset, shared by every variant. */
  private static String scaledInput(OnnxWriter.Graph g, Weights w) {
    long[] dims = {w.width()};
    g.floats("scale", dims, w.scale());
    g.floats("offset", dims, w.offset());
    g.op("Mul", "x_scaled", INPUT, "scale");
    return g.op("Add", "x_hat", "x_scaled", "offset");
  }

  private static byte[] fp32(Weights w) {
    OnnxWriter.Graph g = new OnnxWriter.Graph("ranking_fp32");
    String x = scaledInput(g, w);
    int f = w.width();
    g.floats("W1", new long[] {f, H1}, flatten(w.w1()));
    g.floats("b1", new long[] {H1}, w.b1());
    g.floats("W2", new long[] {H1, H2}, flatten(w.w2()));
    g.floats("b2", new long[] {H2}, w.b2());
    g.floats("W3", new long[] {H2, 1}, w.w3());
    g.floats("Ww", new long[] {f, 1}, w.wide());
    g.floats("b3", new long[] {1}, new float[] {w.b3()});
    String h1 = g.op("Relu", "h1", g.op("Add", "h1_pre", g.op("MatMul", "h1_mm", x, "W1"), "b1"));
    String h2 = g.op("Relu", "h2", g.op("Add", "h2_pre", g.op("MatMul", "h2_mm", h1, "W2"), "b2"));
    String deep = g.op("MatMul", "deep", h2, "W3");
    String wide = g.op("MatMul", "wide", x, "Ww");
    String logit = g.op("Add", "logit", g.op("Add", "logit_pre", deep, wide), "b3");
    g.op("Sigmoid", OUTPUT, logit);
    return finish(g, w, Variant.FP32);
  }

  /** Activation ranges {x̂, h1, h2} over seeded calibration rows, each widened to include 0. */
  static double[][] calibrate(Weights w) {
    double[][] ranges = {{0, 0}, {0, 0}, {0, 0}};
    float[] rows = sampleRows(w.columns(), 4096, SEED + 2);
    for (int r = 0; r < 4096; r++) {
      w.forward(rows, r, ranges);
    }
    return ranges;
  }

  /** Per-output-channel symmetric int8: {@code {q (row-major [in][out]), scales[out]}}. */
  static Object[] quantizePerChannel(float[][] m) {
    int in = m.length;
    int out = m[0].length;
    float[] scales = new float[out];
    byte[] q = new byte[in * out];
    for (int j = 0; j < out; j++) {
      float max = 0;
      for (float[] row : m) {
        max = Math.max(max, Math.abs(row[j]));
      }
      scales[j] = max == 0 ? 1f : max / 127f;
      for (int i = 0; i < in; i++) {
        q[i * out + j] = (byte) Math.max(-127, Math.min(127, Math.round(m[i][j] / scales[j])));
      }
    }
    return new Object[] {q, scales};
  }

  private static float[][] column(float[] v) {
    float[][] m = new float[v.length][1];
    for (int i = 0; i < v.length; i++) {
      m[i][0] = v[i];
    }
    return m;
  }

  private static byte[] int8Static(Weights w) {
    OnnxWriter.Graph g = new OnnxWriter.Graph("ranking_int8_static");
    double[][] ranges = calibrate(w);
    String x = scaledInput(g, w);
    String xq = qdq(g, x, ranges[0]);
    String w1 = dequantizedWeights(g, "W1", w.w1());
    g.floats("b1", new long[] {H1}, w.b1());
    String h1 = g.op("Relu", "h1", g.op("Add", "h1_pre", g.op("MatMul", "h1_mm", xq, w1), "b1"));
    String h1q = qdq(g, h1, ranges[1]);
    String w2 = dequantizedWeights(g, "W2", w.w2());
    g.floats("b2", new long[] {H2}, w.b2());
    String h2 = g.op("Relu", "h2", g.op("Add", "h2_pre", g.op("MatMul", "h2_mm", h1q, w2), "b2"));
    String h2q = qdq(g, h2, ranges[2]);
    String w3 = dequantizedWeights(g, "W3", column(w.w3()));
    g.floats("Ww", new long[] {w.width(), 1}, w.wide());
    g.floats("b3", new long[] {1}, new float[] {w.b3()});
    String deep = g.op("MatMul", "deep", h2q, w3);
    String wide = g.op("MatMul", "wide", x, "Ww");
    String logit = g.op("Add", "logit", g.op("Add", "logit_pre", deep, wide), "b3");
    g.op("Sigmoid", OUTPUT, logit);
    return finish(g, w, Variant.INT8_STATIC);
  }

  /** QuantizeLinear → DequantizeLinear of an activation with a calibrated uint8 range. */
  private static String qdq(OnnxWriter.Graph g, String value, double[] range) {
    double lo = Math.min(0, range[0]);
    double hi = Math.max(0, range[1]);
    float scale = (float) ((hi - lo) / 255.0);
    if (scale == 0) {
      scale = 1f;
    }
    int zero = (int) Math.max(0, Math.min(255, Math.round(-lo / scale)));
    g.floats(value + "_scale", new long[0], new float[] {scale});
    g.uint8s(value + "_zero", new long[0], new byte[] {(byte) zero});
    String q = g.op("QuantizeLinear", value + "_q", value, value + "_scale", value + "_zero");
    return g.op("DequantizeLinear", value + "_dq", q, value + "_scale", value + "_zero");
  }

  /** Int8 weights per output channel, dequantized by a DequantizeLinear with axis 1. */
  private static String dequantizedWeights(OnnxWriter.Graph g, String name, float[][] m) {
    Object[] q = quantizePerChannel(m);
    float[] scales = (float[]) q[1];
    g.int8s(name + "_q", new long[] {m.length, m[0].length}, (byte[]) q[0]);
    g.floats(name + "_scale", new long[] {scales.length}, scales);
    g.int8s(name + "_zero", new long[] {scales.length}, new byte[scales.length]);
    return g.node("DequantizeLinear", new String[] {name + "_q", name + "_scale", name + "_zero"},
        new String[] {name + "_dq"}, OnnxWriter.Attr.of("axis", 1L));
  }

  private static byte[] int8Dynamic(Weights w) {
    OnnxWriter.Graph g = new OnnxWriter.Graph("ranking_int8_dynamic");
    String x = scaledInput(g, w);
    String[] xq = dynamicQuantize(g, x);
    String h1 = g.op("Relu", "h1", integerMatMul(g, xq, "W1", w.w1(), w.b1()));
    String[] h1q = dynamicQuantize(g, h1);
    String h2 = g.op("Relu", "h2", integerMatMul(g, h1q, "W2", w.w2(), w.b2()));
    String[] h2q = dynamicQuantize(g, h2);
    String deep = integerMatMul(g, h2q, "W3", column(w.w3()), null);
    g.floats("Ww", new long[] {w.width(), 1}, w.wide());
    String wide = g.op("MatMul", "wide", x, "Ww");
    g.floats("b3", new long[] {1}, new float[] {w.b3()});
    String logit = g.op("Add", "logit", g.op("Add", "logit_pre", deep, wide), "b3");
    g.op("Sigmoid", OUTPUT, logit);
    return finish(g, w, Variant.INT8_DYNAMIC);
  }

  /** DynamicQuantizeLinear: {@code {q, scale, zero}}, the scale taken from the whole batch. */
  private static String[] dynamicQuantize(OnnxWriter.Graph g, String value) {
    String[] out = {value + "_q", value + "_scale", value + "_zero"};
    g.node("DynamicQuantizeLinear", new String[] {value}, out);
    return out;
  }

  /** MatMulInteger(uint8 activations, int8 weights) → float, rescaled per output channel, plus bias. */
  private static String integerMatMul(OnnxWriter.Graph g, String[] aq, String name, float[][] m, float[] bias) {
    Object[] q = quantizePerChannel(m);
    float[] scales = (float[]) q[1];
    g.int8s(name + "_q", new long[] {m.length, m[0].length}, (byte[]) q[0]);
    g.floats(name + "_scale", new long[] {scales.length}, scales);
    String acc = g.node("MatMulInteger", new String[] {aq[0], name + "_q", aq[2]}, new String[] {name + "_acc"});
    String accF = g.node("Cast", new String[] {acc}, new String[] {name + "_accf"},
        OnnxWriter.Attr.of("to", (long) OnnxWriter.FLOAT));
    String s = g.op("Mul", name + "_rescale", aq[1], name + "_scale");
    String y = g.op("Mul", name + "_y", accF, s);
    if (bias == null) {
      return y;
    }
    g.floats(name + "_bias", new long[] {bias.length}, bias);
    return g.op("Add", name + "_out", y, name + "_bias");
  }

  static float[] flatten(float[][] m) {
    int cols = m[0].length;
    float[] out = new float[m.length * cols];
    for (int i = 0; i < m.length; i++) {
      System.arraycopy(m[i], 0, out, i * cols, cols);
    }
    return out;
  }
}
