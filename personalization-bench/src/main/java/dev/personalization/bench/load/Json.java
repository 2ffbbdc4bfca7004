package dev.personalization.bench.load;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * Writes JSON (RFC 8259) from maps, collections, strings, numbers, booleans and {@code null}. Maps
 * keep their iteration order. Non-finite numbers become {@code null}: JSON has no NaN, and NaN here
 * always means "not measured". Enough for the reports; not a general library.
 */
final class Json {

  private Json() {
  }

  /** {@code value} as indented JSON. */
  static String write(Object value) {
    StringBuilder out = new StringBuilder(4096);
    write(value, out, 0);
    return out.append('\n').toString();
  }

  private static void write(Object v, StringBuilder out, int depth) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      string(s, out);
    } else if (v instanceof Boolean b) {
      out.append(b);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        out.append("null");
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append((long) d);
      } else {
        // Six significant digits are more than any measurement here has; plain notation is valid JSON.
        out.append(new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros().toPlainString());
      }
    } else if (v instanceof Number n) {
      out.append(n.longValue());
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        indent(out, depth + 1);
        string(String.valueOf(e.getKey()), out);
        out.append(": ");
        write(e.getValue(), out, depth + 1);
        out.append(++i < m.size() ? ",\n" : "\n");
      }
      indent(out, depth);
      out.append('}');
    } else if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append("[\n");
      int i = 0;
      for (Object o : c) {
        indent(out, depth + 1);
        write(o, out, depth + 1);
        out.append(++i < c.size() ? ",\n" : "\n");
      }
      indent(out, depth);
      out.append(']');
    } else {
      string(v.toString(), out);
    }
  }

  private static void indent(StringBuilder out, int depth) {
    for (int i = 0; i < depth; i++) {
      out.append("  ");
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
