package dev.personalization.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart rendered as inline SVG, with optional log axes and labelled reference lines. No
 * scripts, fonts or external references: the output works in a browser with no network.
 */
final class SvgChart {

  private record Series(String name, String color, List<double[]> points, boolean dashed) {
  }

  private record Rule(boolean horizontal, double at, String label, String color) {
  }

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logX;
  private final boolean logY;
  private final List<Series> series = new ArrayList<>();
  private final List<Rule> rules = new ArrayList<>();
  private double yFloor = Double.NaN;
  private double yCeiling = Double.NaN;

  SvgChart(String title, String xLabel, String yLabel, boolean logX, boolean logY) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logX = logX;
    this.logY = logY;
  }

  /** Adds a series; points with a non-finite (or, on a log axis, non-positive) coordinate are skipped. */
  SvgChart series(String name, String color, List<double[]> points) {
    series.add(new Series(name, color, usable(points), false));
    return this;
  }

  /** Adds a dashed series (for ideal or reference curves). */
  SvgChart dashed(String name, String color, List<double[]> points) {
    series.add(new Series(name, color, usable(points), true));
    return this;
  }

  /** A horizontal reference line at {@code y}. */
  SvgChart hline(double y, String label, String color) {
    rules.add(new Rule(true, y, label, color));
    return this;
  }

  /** A vertical reference line at {@code x}. */
  SvgChart vline(double x, String label, String color) {
    rules.add(new Rule(false, x, label, color));
    return this;
  }

  /** Fixes the y range (for percentages). */
  SvgChart yRange(double floor, double ceiling) {
    this.yFloor = floor;
    this.yCeiling = ceiling;
    return this;
  }

  private List<double[]> usable(List<double[]> points) {
    List<double[]> out = new ArrayList<>();
    for (double[] p : points) {
      if (Double.isFinite(p[0]) && Double.isFinite(p[1]) && (!logX || p[0] > 0) && (!logY || p[1] > 0)) {
        out.add(p);
      }
    }
    return out;
  }

  String render(int width, int height) {
    int left = 64;
    int right = 150;
    int top = 34;
    int bottom = 46;
    double plotW = width - left - right;
    double plotH = height - top - bottom;
    double[] xr = range(true);
    double[] yr = range(false);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT,
        "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">%n", width, height, width,
        height, esc(title)));
    s.append("<title>").append(esc(title)).append("</title>\n");
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" class=\"t\">%s</text>%n", left, esc(title)));
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" class=\"plot\"/>%n", left,
        top, plotW, plotH));
    for (double t : ticks(xr, logX)) {
      double x = left + plotW * frac(t, xr, logX);
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>%n", x, top, x,
          top + plotH));
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"middle\">%s</text>%n", x,
          top + plotH + 16, num(t)));
    }
    for (double t : ticks(yr, logY)) {
      double y = top + plotH * (1 - frac(t, yr, logY));
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>%n", left, y,
          left + plotW, y));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>%n",
          left - 6, y + 4, num(t)));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">%s</text>%n",
        left + plotW / 2, height - 8, esc(xLabel)));
    s.append(String.format(Locale.ROOT,
        "<text x=\"14\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s</text>%n",
        top + plotH / 2, top + plotH / 2, esc(yLabel)));
    for (Rule r : rules) {
      if (r.horizontal) {
        double f = frac(r.at, yr, logY);
        if (f < 0 || f > 1) {
          continue;
        }
        double y = top + plotH * (1 - f);
        s.append(String.format(Locale.ROOT,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" class=\"rule\"/>%n", left, y, left + plotW, y,
            r.color));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" class=\"rl\" fill=\"%s\">%s</text>%n",
            left + plotW + 4, y + 4, r.color, esc(r.label)));
      } else {
        double f = frac(r.at, xr, logX);
        if (f < 0 || f > 1) {
          continue;
        }
        double x = left + plotW * f;
        s.append(String.format(Locale.ROOT,
            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" class=\"rule\"/>%n", x, top, x, top + plotH,
            r.color));
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"rl\" fill=\"%s\">%s</text>%n", x + 3,
            top + 12, r.color, esc(r.label)));
      }
    }
    // The legend sits at the bottom of the right margin; reference-line labels use the rest of it.
    double legendY = top + plotH - 16.0 * series.size() + 8;
    for (Series ser : series) {
      StringBuilder pts = new StringBuilder();
      for (double[] p : ser.points) {
        double x = left + plotW * frac(p[0], xr, logX);
        double y = top + plotH * (1 - clamp(frac(p[1], yr, logY)));
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        if (!ser.dashed) {
          s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>%n", x, y, ser.color));
        }
      }
      if (ser.points.size() > 1) {
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s/>%n",
            pts.toString().trim(), ser.color, ser.dashed ? " stroke-dasharray=\"5 4\"" : ""));
      }
      s.append(String.format(Locale.ROOT,
          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>"
              + "<text x=\"%.1f\" y=\"%.1f\" class=\"lg\">%s</text>%n",
          left + plotW + 8, legendY, left + plotW + 26, legendY, ser.color,
          ser.dashed ? " stroke-dasharray=\"5 4\"" : "", left + plotW + 30, legendY + 4, esc(ser.name)));
      legendY += 16;
    }
    if (series.stream().allMatch(x -> x.points.isEmpty())) {
      s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">no data</text>%n",
          left + plotW / 2, top + plotH / 2));
    }
    return s.append("</svg>\n").toString();
  }

  private double[] range(boolean x) {
    boolean log = x ? logX : logY;
    if (!x && !Double.isNaN(yFloor)) {
      return new double[] {yFloor, yCeiling};
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Series ser : series) {
      for (double[] p : ser.points) {
        lo = Math.min(lo, p[x ? 0 : 1]);
        hi = Math.max(hi, p[x ? 0 : 1]);
      }
    }
    for (Rule r : rules) {
      if (r.horizontal != x && (!log || r.at > 0)) {
        lo = Math.min(lo, r.at);
        hi = Math.max(hi, r.at);
      }
    }
    if (lo == Double.POSITIVE_INFINITY) {
      return log ? new double[] {1, 10} : new double[] {0, 1};
    }
    if (log) {
      return new double[] {Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi) + 1e-9))};
    }
    double span = hi - Math.min(0, lo);
    return new double[] {Math.min(0, lo), hi + (span == 0 ? 1 : span * 0.08)};
  }

  private static double frac(double v, double[] r, boolean log) {
    if (log) {
      return (Math.log10(v) - Math.log10(r[0])) / (Math.log10(r[1]) - Math.log10(r[0]));
    }
    return (v - r[0]) / (r[1] - r[0]);
  }

  private static double clamp(double f) {
    return Math.max(0, Math.min(1, f));
  }

  private static List<Double> ticks(double[] r, boolean log) {
    List<Double> out = new ArrayList<>();
    if (log) {
      int decades = (int) Math.round(Math.log10(r[1] / r[0]));
      for (double d = r[0]; d <= r[1] * 1.0001; d *= 10) {
        out.add(d);
        if (decades <= 3 && d * 2 < r[1]) {
          out.add(d * 2);
          out.add(d * 5);
        }
      }
      return out;
    }
    double raw = (r[1] - r[0]) / 6;
    double mag = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
    for (double t = Math.ceil(r[0] / step) * step; t <= r[1] + 1e-9; t += step) {
      out.add(t);
    }
    return out;
  }

  private static String num(double v) {
    if (v >= 1000 && v % 1000 == 0) {
      return String.format(Locale.ROOT, "%.0fk", v / 1000);
    }
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2g", v);
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
