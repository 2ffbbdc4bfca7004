package dev.personalization.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.personalization.PersonalizationException;
import dev.personalization.model.FeatureRows;
import dev.personalization.model.InvalidRowException;
import dev.personalization.model.ModelLoadException;
import dev.personalization.model.Predictor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Predictor} that runs an ONNX model in ONNX Runtime, in process.
 *
 * <pre>{@code
 * try (OnnxPredictor model = OnnxPredictor.builder()
 *         .modelPath(Path.of("ranking.onnx"))
 *         .columns(engineColumns)          // PersonalizationEngine#columns()
 *         .build()) {                      // throws ModelLoadException naming what does not match
 *   float[] scores = model.predict(rows).join();
 * }
 * // or the model the project ships, for the engine's standard columns:
 * Predictor model = OnnxPredictor.standardRankingModel(engineColumns);
 * }</pre>
 *
 * <h2>Inputs and outputs</h2>
 * Every model input is a float or int64 tensor of shape {@code [N, k]} (or {@code [N]} for one
 * column) with a dynamic batch dimension, and is mapped to feature columns by name: the model's
 * metadata entry {@code columns:<input name>} lists its {@code k} columns, comma-separated, in
 * order; an input without that entry must have width 1 and be named after a column. Every feature
 * column must feed some input. Int64 inputs carry ids: their values must be integral. The scores
 * come from the model's only output, or the one named {@code score}: a float tensor {@code [N]} or
 * {@code [N, 1]}. All of this is checked at load and a mismatch is a {@link ModelLoadException}
 * that says what does not match.
 *
 * <h2>Session and memory</h2>
 * One {@code OrtSession} serves every thread. Its options are explicit: {@link Builder#intraOpThreads}
 * (default {@value #DEFAULT_INTRA_OP_THREADS}) threads per call, one inter-op thread, sequential
 * execution, thread spinning off (an embedded library must not burn the host's CPU while idle), all
 * graph optimisations. Input and output tensors wrap direct buffers that are pooled and reused
 * across calls; every {@code OnnxTensor} and {@code Result} is closed in a {@code finally}.
 *
 * <h2>Versions and batch dependence</h2>
 * {@link #version()} is {@code sha256:} and the SHA-256 of the model bytes. At load the model scores
 * probe rows one at a time and again inside a batch with wide-ranging rows; if the scores differ
 * (as with dynamic INT8 quantisation, whose scale comes from the batch) {@link #scoresDependOnBatch()}
 * is true and a {@code CachingPredictor} bypasses itself. The probe also warms the session.
 *
 * <h2>Errors</h2>
 * {@link #predict} never throws: an empty block, rows of the wrong width, a NaN or infinite value (an
 * {@link InvalidRowException} naming the row and the feature, raised before the model runs) and
 * ONNX Runtime failures come back as failed futures. Thread-safe. {@link #close()} releases the
 * session once the calls in flight have finished; later calls fail with
 * {@link IllegalStateException}.
 */
public final class OnnxPredictor implements Predictor {

  /** Threads ONNX Runtime uses inside one call. One: concurrency comes from concurrent calls. */
  public static final int DEFAULT_INTRA_OP_THREADS = 1;
  /** Scores of a row alone and in a batch further apart than this mark a batch-dependent model. */
  static final float BATCH_DEPENDENCE_TOLERANCE = 1e-4f;

  private final String source;
  private final String version;
  private final List<String> columns;
  private final OrtEnvironment env;
  private final OrtSession.SessionOptions options;
  private final OrtSession session;
  private final List<InputBinding> inputs;
  private final String outputName;
  private final boolean outputIsColumn;
  /** Indices of the feature columns that feed int64 inputs. */
  private final int[] idColumns;
  private final ConcurrentLinkedQueue<IoBuffers> buffers = new ConcurrentLinkedQueue<>();
  /** One for being open, one per call in flight; the session closes when it reaches zero. */
  private final AtomicInteger users = new AtomicInteger(1);
  private final AtomicBoolean closeRequested = new AtomicBoolean();
  private final boolean dependsOnBatch;

  private OnnxPredictor(String source, byte[] model, List<String> columns, int intraOpThreads) {
    this.source = source;
    this.columns = List.copyOf(columns);
    this.version = "sha256:" + sha256(model);
    this.env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions opts = null;
    OrtSession s = null;
    try {
      opts = new OrtSession.SessionOptions();
      opts.setIntraOpNumThreads(intraOpThreads);
      opts.setInterOpNumThreads(1);
      opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      opts.addConfigEntry("session.intra_op.allow_spinning", "0");
      opts.addConfigEntry("session.inter_op.allow_spinning", "0");
      s = env.createSession(model, opts);
      this.options = opts;
      this.session = s;
      this.inputs = bindInputs(s);
      boolean[] ids = new boolean[this.columns.size()];
      for (InputBinding b : inputs) {
        if (b.type == OnnxJavaType.INT64) {
          for (int c : b.columns) {
            ids[c] = true;
          }
        }
      }
      this.idColumns = java.util.stream.IntStream.range(0, ids.length).filter(c -> ids[c]).toArray();
      Map.Entry<String, Boolean> out = bindOutput(s);
      this.outputName = out.getKey();
      this.outputIsColumn = out.getValue();
      this.dependsOnBatch = probeBatchDependence();
    } catch (OrtException e) {
      closeQuietly(s, opts);
      throw new ModelLoadException(source, "ONNX Runtime cannot load it: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(s, opts);
      throw e;
    }
  }

  /** A builder; set exactly one model source and the columns. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The FP32 {@linkplain StandardRankingModel standard ranking model} for an engine's columns: the
   * shipped file when they are the demo's layout (item columns {@code quality, price_level,
   * freshness}), else the same recipe generated for them.
   *
   * @param columns the engine's columns, {@code PersonalizationEngine#columns()}
   */
  public static OnnxPredictor standardRankingModel(List<String> columns) {
    return standardRankingModel(columns, StandardRankingModel.Variant.FP32);
  }

  /** {@link #standardRankingModel(List)} in the given variant (FP32, static or dynamic INT8). */
  public static OnnxPredictor standardRankingModel(List<String> columns, StandardRankingModel.Variant variant) {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(variant, "variant");
    if (columns.equals(StandardRankingModel.shippedColumns())) {
      return builder().modelResource(variant.resource()).columns(columns).build();
    }
    return new OnnxPredictor("generated:" + variant.fileName(), StandardRankingModel.generate(columns, variant), columns,
        DEFAULT_INTRA_OP_THREADS);
  }

  /** {@code sha256:} followed by the SHA-256 of the model bytes, in hex. */
  @Override
  public String version() {
    return version;
  }

  @Override
  public List<String> columns() {
    return columns;
  }

  /** Whether the load-time probe saw a row's score change with its batchmates. */
  @Override
  public boolean scoresDependOnBatch() {
    return dependsOnBatch;
  }

  /** Where the model came from: a path, a classpath resource, or bytes. */
  public String source() {
    return source;
  }

  /** Scores the rows on the calling thread; the returned future is already complete. */
  @Override
  public CompletableFuture<float[]> predict(FeatureRows rows) {
    Objects.requireNonNull(rows, "rows");
    if (rows.width() != columns.size()) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "rows have width " + rows.width() + ", the model expects " + columns.size() + " columns " + columns));
    }
    if (rows.rowCount() == 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("empty batch: no rows to score"));
    }
    try {
      validate(rows);
    } catch (InvalidRowException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (!acquire()) {
      return CompletableFuture.failedFuture(new IllegalStateException("ONNX predictor " + source + " is closed"));
    }
    try {
      return CompletableFuture.completedFuture(run(rows));
    } catch (OrtException e) {
      return CompletableFuture.failedFuture(
          new PersonalizationException("ONNX Runtime failed on " + rows.rowCount() + " rows of " + source + ": " + e.getMessage(), e));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      release();
    }
  }

  /** Closes the session once the calls in flight have finished. Idempotent. */
  @Override
  public void close() {
    if (closeRequested.compareAndSet(false, true)) {
      release();
    }
  }

  /** The session's configuration entries; for tests. */
  Map<String, String> sessionConfig() {
    return options.getConfigEntries();
  }

  /** Whether the native session has been released; for tests. */
  boolean isClosed() {
    return users.get() == 0;
  }

  @Override
  public String toString() {
    return "OnnxPredictor[" + source + ", " + version + "]";
  }

  // ---------------------------------------------------------------- scoring

  private float[] run(FeatureRows rows) throws OrtException {
    int n = rows.rowCount();
    IoBuffers io = borrow(n);
    OnnxTensor[] tensors = new OnnxTensor[inputs.size()];
    OnnxTensor output = null;
    try {
      Map<String, OnnxTensor> feed = new LinkedHashMap<>(inputs.size() * 2);
      for (int i = 0; i < inputs.size(); i++) {
        InputBinding b = inputs.get(i);
        tensors[i] = b.fill(env, io.inputs[i], rows);
        feed.put(b.name, tensors[i]);
      }
      FloatBuffer out = io.output.clear().limit(n);
      output = OnnxTensor.createTensor(env, out, outputIsColumn ? new long[] {n, 1} : new long[] {n});
      // ONNX Runtime writes the scores into the pinned output's direct buffer; the Result holds
      // no other value, but is closed all the same.
      session.run(feed, Map.of(outputName, output)).close();
      float[] scores = new float[n];
      out.position(0).limit(n);
      out.get(scores);
      return scores;
    } finally {
      for (OnnxTensor t : tensors) {
        if (t != null) {
          t.close();
        }
      }
      if (output != null) {
        output.close();
      }
      buffers.offer(io);
    }
  }

  private void validate(FeatureRows rows) {
    float[] d = rows.data();
    int w = rows.width();
    // One flat pass over the block (a tight loop the JIT unrolls); row-major order, so the first
    // bad value found is the one the error names.
    for (int i = 0, end = rows.rowCount() * w; i < end; i++) {
      float v = d[i];
      if (!(Math.abs(v) <= Float.MAX_VALUE)) {
        throw new InvalidRowException(i / w, columns.get(i % w), "is " + v + "; model inputs must be finite");
      }
    }
    for (int r = 0, n = rows.rowCount(); idColumns.length > 0 && r < n; r++) {
      for (int c : idColumns) {
        float v = d[r * w + c];
        if (v != Math.rint(v) || Math.abs(v) > (1 << 24)) {
          throw new InvalidRowException(r, columns.get(c), "id value " + v + " is not an integer a float holds exactly");
        }
      }
    }
  }

  private IoBuffers borrow(int rows) {
    IoBuffers io = buffers.poll();
    if (io == null || io.capacity < rows) {
      // Grow to the next power of two so that a slowly rising batch size does not reallocate each call.
      io = new IoBuffers(Math.max(64, Integer.highestOneBit(Math.max(1, rows - 1)) << 1), inputs);
    }
    return io;
  }

  private boolean acquire() {
    while (true) {
      int n = users.get();
      if (n == 0 || closeRequested.get()) {
        return false;
      }
      if (users.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private void release() {
    if (users.decrementAndGet() == 0) {
      closeQuietly(session, options);
      buffers.clear();
    }
  }

  /**
   * Scores probe rows alone and inside a batch whose other rows span a hundredfold range; a model
   * whose scores move is batch-dependent.
   */
  private boolean probeBatchDependence() throws OrtException {
    int w = columns.size();
    int probes = 8;
    float[] batch = new float[2 * probes * w];
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
    for (int r = 0; r < 2 * probes; r++) {
      for (int c = 0; c < w; c++) {
        boolean id = ids(c);
        float v = id ? 0f : (float) rnd.nextDouble();
        batch[r * w + c] = r < probes || id ? v : 50f + 100f * v;
      }
    }
    float[] together = run(new FeatureRows(batch, 2 * probes, w));
    for (int r = 0; r < probes; r++) {
      float[] row = Arrays.copyOfRange(batch, r * w, (r + 1) * w);
      float alone = run(new FeatureRows(row, 1, w))[0];
      if (!Float.isFinite(alone) || !Float.isFinite(together[r])) {
        throw new ModelLoadException(source, "scores a probe row as " + alone + " / " + together[r]);
      }
      if (Math.abs(alone - together[r]) > BATCH_DEPENDENCE_TOLERANCE * Math.max(1f, Math.abs(alone))) {
        return true;
      }
    }
    return false;
  }

  private boolean ids(int column) {
    for (int c : idColumns) {
      if (c == column) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- load-time validation

  private List<InputBinding> bindInputs(OrtSession s) throws OrtException {
    Map<String, String> metadata = s.getMetadata().getCustomMetadata();
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < columns.size(); i++) {
      if (index.putIfAbsent(columns.get(i), i) != null) {
        throw new ModelLoadException(source, "feature column '" + columns.get(i) + "' appears twice in " + columns);
      }
    }
    List<InputBinding> out = new ArrayList<>();
    Set<String> unused = new LinkedHashSet<>(columns);
    for (NodeInfo node : s.getInputInfo().values()) {
      String name = node.getName();
      if (!(node.getInfo() instanceof TensorInfo t)) {
        throw new ModelLoadException(source, "input '" + name + "' is not a tensor: " + node.getInfo());
      }
      if (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.INT64) {
        throw new ModelLoadException(source, "input '" + name + "' has element type " + t.type
            + "; supported are float features and int64 ids");
      }
      long[] shape = t.getShape();
      if (shape.length < 1 || shape.length > 2) {
        throw new ModelLoadException(source, "input '" + name + "' has rank " + shape.length + " " + Arrays.toString(shape)
            + "; expected [N, width] or [N]");
      }
      if (shape[0] >= 0) {
        throw new ModelLoadException(source, "input '" + name + "' fixes the batch dimension at " + shape[0]
            + "; it must be dynamic");
      }
      long width = shape.length == 2 ? shape[1] : 1;
      if (width < 1) {
        throw new ModelLoadException(source, "input '" + name + "' has no fixed width: " + Arrays.toString(shape));
      }
      String listed = metadata.get("columns:" + name);
      List<String> names;
      if (listed != null) {
        names = List.of(listed.split(",", -1));
      } else if (width == 1 && index.containsKey(name)) {
        names = List.of(name);
      } else {
        throw new ModelLoadException(source, "input '" + name + "' " + Arrays.toString(shape)
            + " maps to no feature columns: name a width-1 input after its column, or list the columns in the "
            + "metadata entry 'columns:" + name + "'");
      }
      if (names.size() != width) {
        throw new ModelLoadException(source, "input '" + name + "' has width " + width + " but the model lists "
            + names.size() + " columns for it " + names + "; the engine's rows have " + columns.size()
            + " columns " + columns);
      }
      int[] cols = new int[names.size()];
      for (int i = 0; i < cols.length; i++) {
        Integer c = index.get(names.get(i));
        if (c == null) {
          throw new ModelLoadException(source, "input '" + name + "' needs column '" + names.get(i)
              + "', which is not among the engine's columns " + columns);
        }
        cols[i] = c;
        unused.remove(names.get(i));
      }
      out.add(new InputBinding(name, t.type, cols, shape.length, columns.size()));
    }
    if (!unused.isEmpty()) {
      throw new ModelLoadException(source, "feature columns " + unused + " feed no model input: the model's inputs "
          + "take " + (columns.size() - unused.size()) + " of the engine's " + columns.size() + " columns per row");
    }
    return List.copyOf(out);
  }

  /** The scores output's name, and whether its shape is {@code [N, 1]} rather than {@code [N]}. */
  private Map.Entry<String, Boolean> bindOutput(OrtSession s) throws OrtException {
    Map<String, NodeInfo> outs = s.getOutputInfo();
    NodeInfo node;
    if (outs.size() == 1) {
      node = outs.values().iterator().next();
    } else if (outs.containsKey(StandardRankingModel.OUTPUT)) {
      node = outs.get(StandardRankingModel.OUTPUT);
    } else {
      throw new ModelLoadException(source, "has outputs " + outs.keySet()
          + "; expected one output, or one named '" + StandardRankingModel.OUTPUT + "'");
    }
    if (!(node.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
      throw new ModelLoadException(source, "output '" + node.getName() + "' is " + node.getInfo()
          + "; expected a float tensor");
    }
    long[] shape = t.getShape();
    boolean ok = shape.length == 1 || (shape.length == 2 && shape[1] == 1);
    if (!ok || shape[0] >= 0) {
      throw new ModelLoadException(source, "output '" + node.getName() + "' has shape " + Arrays.toString(shape)
          + "; expected [N] or [N, 1] with a dynamic N");
    }
    return Map.entry(node.getName(), shape.length == 2);
  }

  private static void closeQuietly(OrtSession s, OrtSession.SessionOptions o) {
    try {
      if (s != null) {
        s.close();
      }
    } catch (OrtException e) {
      System.getLogger(OnnxPredictor.class.getName()).log(System.Logger.Level.WARNING, "closing session failed", e);
    }
    if (o != null) {
      o.close();
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** One model input: which feature columns feed it, and how. */
  private static final class InputBinding {
    final String name;
    final OnnxJavaType type;
    final int[] columns;
    final int rank;
    /** Whether this input takes every column of a row, in row order: the rows copy in one block. */
    final boolean wholeRow;

    InputBinding(String name, OnnxJavaType type, int[] columns, int rank, int rowWidth) {
      this.name = name;
      this.type = type;
      this.columns = columns;
      this.rank = rank;
      boolean identity = columns.length == rowWidth;
      for (int i = 0; identity && i < columns.length; i++) {
        identity = columns[i] == i;
      }
      this.wholeRow = identity;
    }

    /** Copies this input's columns of every row into {@code buffer} and wraps it, without a copy. */
    OnnxTensor fill(OrtEnvironment env, ByteBuffer buffer, FeatureRows rows) throws OrtException {
      int n = rows.rowCount();
      int k = columns.length;
      float[] d = rows.data();
      int w = rows.width();
      long[] shape = rank == 2 ? new long[] {n, k} : new long[] {n};
      if (type == OnnxJavaType.FLOAT) {
        FloatBuffer f = buffer.clear().asFloatBuffer();
        if (wholeRow) {
          // One bulk copy instead of a put per value: the main Java-side cost of a call otherwise.
          return OnnxTensor.createTensor(env, f.put(d, 0, n * k).flip(), shape);
        }
        for (int r = 0; r < n; r++) {
          int base = r * w;
          for (int c : columns) {
            f.put(d[base + c]);
          }
        }
        return OnnxTensor.createTensor(env, f.flip(), shape);
      }
      LongBuffer l = buffer.clear().asLongBuffer();
      for (int r = 0; r < n; r++) {
        int base = r * w;
        for (int c : columns) {
          l.put((long) d[base + c]);
        }
      }
      return OnnxTensor.createTensor(env, l.flip(), shape);
    }
  }

  /** Direct buffers for one call in flight: one per input, one for the scores. */
  private static final class IoBuffers {
    final int capacity;
    final ByteBuffer[] inputs;
    final FloatBuffer output;

    IoBuffers(int capacity, List<InputBinding> bindings) {
      this.capacity = capacity;
      this.inputs = new ByteBuffer[bindings.size()];
      for (int i = 0; i < inputs.length; i++) {
        InputBinding b = bindings.get(i);
        int bytes = b.type == OnnxJavaType.INT64 ? 8 : 4;
        inputs[i] = ByteBuffer.allocateDirect(capacity * b.columns.length * bytes).order(ByteOrder.nativeOrder());
      }
      this.output = ByteBuffer.allocateDirect(capacity * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
  }

  /**
   * Configures an {@link OnnxPredictor}: exactly one model source and the feature columns. Not
   * thread-safe.
   */
  public static final class Builder {
    private String source;
    private byte[] bytes;
    private Path path;
    private String resource;
    private List<String> columns;
    private int intraOpThreads;

    private Builder() {
    }

    /** Loads the model from a file. */
    public Builder modelPath(Path path) {
      oneSource();
      this.path = Objects.requireNonNull(path, "path");
      this.source = path.toString();
      return this;
    }

    /** Loads the model from a classpath resource such as {@code models/ranking.onnx}. */
    public Builder modelResource(String resource) {
      oneSource();
      this.resource = Objects.requireNonNull(resource, "resource");
      this.source = "classpath:" + resource;
      return this;
    }

    /** Loads the model from its bytes (copied). */
    public Builder modelBytes(byte[] bytes) {
      oneSource();
      this.bytes = Objects.requireNonNull(bytes, "bytes").clone();
      this.source = "bytes(" + bytes.length + ")";
      return this;
    }

    /** The engine's feature columns, in row order ({@code PersonalizationEngine#columns()}). */
    public Builder columns(List<String> columns) {
      if (this.columns != null) {
        throw new IllegalStateException("columns is already set");
      }
      this.columns = List.copyOf(columns);
      return this;
    }

    /** Threads ONNX Runtime uses inside one call (default {@value OnnxPredictor#DEFAULT_INTRA_OP_THREADS}). */
    public Builder intraOpThreads(int threads) {
      if (intraOpThreads != 0) {
        throw new IllegalStateException("intraOpThreads is already set");
      }
      if (threads < 1) {
        throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + threads);
      }
      this.intraOpThreads = threads;
      return this;
    }

    /**
     * Loads, validates and warms the model.
     *
     * @throws ModelLoadException when the model cannot be read or parsed, or does not fit the columns
     * @throws IllegalStateException when no model source or no columns were set
     */
    public OnnxPredictor build() {
      if (source == null) {
        throw new IllegalStateException("set one of modelPath, modelResource, modelBytes");
      }
      if (columns == null || columns.isEmpty()) {
        throw new IllegalStateException("columns must be set and not empty");
      }
      byte[] model = bytes;
      try {
        if (path != null) {
          model = Files.readAllBytes(path);
        } else if (resource != null) {
          InputStream in = OnnxPredictor.class.getClassLoader().getResourceAsStream(resource);
          if (in == null) {
            throw new ModelLoadException(source, "no such classpath resource");
          }
          try (in) {
            model = in.readAllBytes();
          }
        }
      } catch (IOException e) {
        throw new ModelLoadException(source, "cannot be read: " + e, e);
      }
      if (model.length == 0) {
        throw new ModelLoadException(source, "is empty (0 bytes)");
      }
      return new OnnxPredictor(source, model, columns, intraOpThreads > 0 ? intraOpThreads : DEFAULT_INTRA_OP_THREADS);
    }

    private void oneSource() {
      if (source != null) {
        throw new IllegalStateException("a model source is already set: " + source);
      }
    }
  }
}
