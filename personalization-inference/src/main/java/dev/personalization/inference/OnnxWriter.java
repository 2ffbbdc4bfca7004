package dev.personalization.inference;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes ONNX models: a minimal protobuf wire-format encoder for the few messages a model needs
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and the types they
 * nest), with field numbers from {@code onnx.proto}. Fields are written in a fixed order and
 * tensors as little-endian {@code raw_data}, so the same graph always gives the same bytes.
 *
 * <p>Hand-written rather than generated from {@code onnx.proto} with protobuf-java: the library
 * only ever writes models (ONNX Runtime reads them), the subset is small and stable, and it keeps
 * protobuf and a code generator out of the build.
 */
final class OnnxWriter {

  /** TensorProto.DataType values. */
  static final int FLOAT = 1;
  static final int UINT8 = 2;
  static final int INT8 = 3;
  static final int INT32 = 6;
  static final int INT64 = 7;

  private OnnxWriter() {
  }

  /** A protobuf message being written. */
  static final class Message {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private void varint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }

    private void tag(int field, int wireType) {
      varint(((long) field << 3) | wireType);
    }

    Message int64(int field, long v) {
      tag(field, 0);
      varint(v);
      return this;
    }

    Message float32(int field, float v) {
      tag(field, 5);
      int bits = Float.floatToIntBits(v);
      for (int i = 0; i < 4; i++) {
        out.write((bits >>> (8 * i)) & 0xFF);
      }
      return this;
    }

    Message bytes(int field, byte[] v) {
      tag(field, 2);
      varint(v.length);
      out.writeBytes(v);
      return this;
    }

    Message string(int field, String v) {
      return bytes(field, v.getBytes(StandardCharsets.UTF_8));
    }

    Message message(int field, Message m) {
      return bytes(field, m.toBytes());
    }

    byte[] toBytes() {
      return out.toByteArray();
    }
  }

  /** A node attribute: an int, a float or a list of ints. */
  record Attr(String name, Long i, Float f, long[] ints) {
    static Attr of(String name, long v) {
      return new Attr(name, v, null, null);
    }

    static Attr of(String name, float v) {
      return new Attr(name, null, v, null);
    }

    static Attr ints(String name, long... v) {
      return new Attr(name, null, null, v);
    }

    Message encode() {
      // AttributeProto: name=1, f=2, i=3, ints=8, type=20 (FLOAT=1, INT=2, INTS=7).
      Message m = new Message().string(1, name);
      if (f != null) {
        m.float32(2, f).int64(20, 1);
      } else if (i != null) {
        m.int64(3, i).int64(20, 2);
      } else {
        for (long v : ints) {
          m.int64(8, v);
        }
        m.int64(20, 7);
      }
      return m;
    }
  }

  /** A graph under construction; {@link #model} turns it into a model's bytes. */
  static final class Graph {
    private final String name;
    private final List<Message> nodes = new ArrayList<>();
    private final List<Message> initializers = new ArrayList<>();
    private final List<Message> inputs = new ArrayList<>();
    private final List<Message> outputs = new ArrayList<>();
    private int nodeCount;

    Graph(String name) {
      this.name = name;
    }

    /**
     * Declares a graph input; each dim is a {@code Long} (fixed) or a {@code String} (symbolic,
     * such as the batch dimension {@code "N"}).
     */
    Graph input(String valueName, int elemType, Object... dims) {
      inputs.add(valueInfo(valueName, elemType, dims));
      return this;
    }

    /** Declares a graph output, dims as for {@link #input}. */
    Graph output(String valueName, int elemType, Object... dims) {
      outputs.add(valueInfo(valueName, elemType, dims));
      return this;
    }

    /** Adds a node of the default domain; returns its first output's name. */
    String node(String opType, String[] in, String[] out, Attr... attrs) {
      return node("", opType, in, out, attrs);
    }

    /** Adds a node of {@code domain}; returns its first output's name. */
    String node(String domain, String opType, String[] in, String[] out, Attr... attrs) {
      // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5, domain=7.
      Message m = new Message();
      for (String s : in) {
        m.string(1, s);
      }
      for (String s : out) {
        m.string(2, s);
      }
      m.string(3, opType.toLowerCase(java.util.Locale.ROOT) + "_" + nodeCount++);
      m.string(4, opType);
      for (Attr a : attrs) {
        m.message(5, a.encode());
      }
      if (!domain.isEmpty()) {
        m.string(7, domain);
      }
      nodes.add(m);
      return out[0];
    }

    /** A one-output node whose output is named {@code out}. */
    String op(String opType, String out, String... in) {
      return node(opType, in, new String[] {out});
    }

    String floats(String tensorName, long[] dims, float[] values) {
      ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : values) {
        b.putFloat(v);
      }
      return initializer(tensorName, FLOAT, dims, b.array());
    }

    String int8s(String tensorName, long[] dims, byte[] values) {
      return initializer(tensorName, INT8, dims, values.clone());
    }

    String uint8s(String tensorName, long[] dims, byte[] values) {
      return initializer(tensorName, UINT8, dims, values.clone());
    }

    String int64s(String tensorName, long[] dims, long[] values) {
      ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        b.putLong(v);
      }
      return initializer(tensorName, INT64, dims, b.array());
    }

    private String initializer(String tensorName, int dataType, long[] dims, byte[] raw) {
      // TensorProto: dims=1, data_type=2, name=8, raw_data=9.
      Message t = new Message();
      for (long d : dims) {
        t.int64(1, d);
      }
      t.int64(2, dataType).string(8, tensorName).bytes(9, raw);
      initializers.add(t);
      return tensorName;
    }

    /**
     * The model's bytes.
     *
     * @param opsets domain to opset version, the default domain as {@code ""}
     * @param metadata model metadata properties, written in iteration order
     */
    byte[] model(long irVersion, Map<String, Integer> opsets, String producer, Map<String, String> metadata) {
      // GraphProto: node=1, name=2, initializer=5, input=11, output=12.
      Message g = new Message();
      nodes.forEach(n -> g.message(1, n));
      g.string(2, name);
      initializers.forEach(t -> g.message(5, t));
      inputs.forEach(v -> g.message(11, v));
      outputs.forEach(v -> g.message(12, v));
      // ModelProto: ir_version=1, producer_name=2, producer_version=3, graph=7, opset_import=8,
      // metadata_props=14. OperatorSetIdProto: domain=1, version=2. StringStringEntryProto: key=1, value=2.
      Message m = new Message().int64(1, irVersion).string(2, producer).string(3, "1");
      m.message(7, g);
      for (Map.Entry<String, Integer> e : new LinkedHashMap<>(opsets).entrySet()) {
        Message o = new Message();
        if (!e.getKey().isEmpty()) {
          o.string(1, e.getKey());
        }
        m.message(8, o.int64(2, e.getValue()));
      }
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        m.message(14, new Message().string(1, e.getKey()).string(2, e.getValue()));
      }
      return m.toBytes();
    }

    private static Message valueInfo(String valueName, int elemType, Object... dims) {
      // ValueInfoProto: name=1, type=2. TypeProto: tensor_type=1. Tensor: elem_type=1, shape=2.
      // TensorShapeProto: dim=1. Dimension: dim_value=1, dim_param=2.
      Message shape = new Message();
      for (Object d : dims) {
        Message dim = new Message();
        if (d instanceof String s) {
          dim.string(2, s);
        } else {
          dim.int64(1, ((Number) d).longValue());
        }
        shape.message(1, dim);
      }
      Message tensor = new Message().int64(1, elemType).message(2, shape);
      return new Message().string(1, valueName).message(2, new Message().message(1, tensor));
    }
  }
}
