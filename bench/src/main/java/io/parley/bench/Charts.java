package io.parley.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import java.text.DecimalFormat;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts of a run (JFreeChart, headless). */
final class Charts {
  private Charts() {}

  static List<String> draw(Results r, Path out) throws Exception {
    System.setProperty("java.awt.headless", "true");
    List<String> files = new ArrayList<>();
    if (!r.targets("steady").isEmpty()) {
      files.add(cpuVsLoad(r, out));
      files.add(latencyVsLoad(r, out));
      files.add(percentiles(r, out));
    }
    if (!r.cold.isEmpty()) {
      files.add(cold(r, out));
    }
    if (!r.series.isEmpty()) {
      files.add(series(r, out));
    }
    if (!r.fanout.isEmpty()) {
      files.add(fanout(r, out));
    }
    if (!r.memory.isEmpty()) {
      files.add(memory(r, out));
    }
    return files;
  }

  /** CPU per delivery (all processes) against offered load, 20 × 10, one line per target. */
  private static String cpuVsLoad(Results r, Path out) throws Exception {
    XYSeriesCollection ds = new XYSeriesCollection();
    for (String t : r.targets("steady")) {
      XYSeries s = new XYSeries(t);
      for (double rate : r.steadyRates(10)) {
        List<JsonObject> rows = r.steady(t, 10, rate);
        if (!rows.isEmpty()) {
          s.add(rate, Math.max(0.1, r.medianOf(rows, "serverCpuUsPerDelivery")));
        }
      }
      if (s.getItemCount() > 0) {
        ds.addSeries(s);
      }
    }
    JFreeChart c =
        ChartFactory.createXYLineChart(
            "CPU per delivery vs offered load (all processes of the target, 20 × 10; lower is better)",
            "offered messages/s (log)", "µs CPU per delivery", ds, PlotOrientation.VERTICAL, true, false, false);
    c.getXYPlot().setDomainAxis(logAxis("offered messages/s (log; × 10 deliveries)"));
    logY(c, "µs CPU per delivery (log)");
    return save(c, out, "cpu-per-delivery-vs-load.png");
  }

  /** Cold start: CPU per delivery in each 10-s bucket after a restart. */
  private static String cold(Results r, Path out) throws Exception {
    XYSeriesCollection ds = new XYSeriesCollection();
    for (String t : r.cold.stream().map(x -> x.getString("target")).distinct().toList()) {
      XYSeries cpu = new XYSeries(t + " µs CPU/delivery");
      XYSeries p99 = new XYSeries(t + " p99 ms");
      for (JsonObject b : r.cold) {
        if (b.getString("target").equals(t)) {
          double mid = (b.getInteger("fromS") + b.getInteger("toS")) / 2.0;
          cpu.add(mid, Math.max(0.1, b.getDouble("cpuAllUsPerDelivery")));
          p99.add(mid, Math.max(0.1, b.getDouble("p99Ms")));
        }
      }
      ds.addSeries(cpu);
      ds.addSeries(p99);
    }
    JFreeChart c =
        ChartFactory.createXYLineChart(
            "Cold start: the first minutes after a restart (10-s buckets, all processes)",
            "seconds since the restart", "µs CPU per delivery · p99 ms", ds, PlotOrientation.VERTICAL, true, false, false);
    logY(c, "µs CPU per delivery, p99 ms (log)");
    return save(c, out, "cold-start.png");
  }

  /** Server CPU % per second at a constant rate. */
  private static String series(Results r, Path out) throws Exception {
    XYSeriesCollection ds = new XYSeriesCollection();
    for (String t : r.series.stream().map(x -> x.getString("target")).distinct().toList()) {
      XYSeries s = new XYSeries(t);
      for (JsonObject x : r.series) {
        if (x.getString("target").equals(t) && x.getInteger("round", 0) == 0) {
          s.add(x.getInteger("t").doubleValue(), x.getDouble("cpuAllPct"));
        }
      }
      ds.addSeries(s);
    }
    JFreeChart c =
        ChartFactory.createXYLineChart(
            "CPU of all the target's processes, second by second, at a constant rate (20 × 10)",
            "second", "% of one core", ds, PlotOrientation.VERTICAL, true, false, false);
    return save(c, out, "cpu-series.png");
  }

  private static String save(JFreeChart chart, Path out, String name) throws Exception {
    chart.getPlot().setBackgroundPaint(java.awt.Color.WHITE);
    ChartUtils.saveChartAsPNG(new File(out.resolve(name).toString()), chart, 960, 540);
    return name;
  }

  private static void logY(JFreeChart c, String label) {
    c.getXYPlot().setRangeAxis(logAxis(label));
  }

  /** A log axis with ticks at powers of ten, labelled as plain numbers. */
  static LogAxis logAxis(String label) {
    LogAxis a = new LogAxis(label);
    a.setSmallestValue(0.1);
    a.setTickUnit(new NumberTickUnit(1));
    a.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
    return a;
  }

  private static String latencyVsLoad(Results r, Path out) throws Exception {
    XYSeriesCollection ds = new XYSeriesCollection();
    for (String t : r.targets("steady")) {
      XYSeries p50 = new XYSeries(t + " p50");
      XYSeries p99 = new XYSeries(t + " p99");
      for (double rate : rates(r)) {
        List<JsonObject> rows = r.steady(t, 10, rate);
        if (!rows.isEmpty()) {
          p50.add(rate, Math.max(0.1, r.medianOf(rows, "p50Ms")));
          p99.add(rate, Math.max(0.1, r.medianOf(rows, "p99Ms")));
        }
      }
      ds.addSeries(p50);
      ds.addSeries(p99);
    }
    JFreeChart c =
        ChartFactory.createXYLineChart(
            "Send → SSE delivery latency vs offered load (20 × 10 streams, medians of rounds)",
            "offered messages/s", "ms", ds, PlotOrientation.VERTICAL, true, false, false);
    logY(c, "latency ms (log)");
    return save(c, out, "latency-vs-load.png");
  }

  private static List<Double> rates(Results r) {
    return r.steadyRates(10);
  }

  private static String percentiles(Results r, Path out) throws Exception {
    List<Double> rates = rates(r);
    double rate = rates.get(rates.size() - 1);
    XYSeriesCollection ds = new XYSeriesCollection();
    for (String t : r.targets("steady")) {
      List<JsonObject> rows = new ArrayList<>(r.steady(t, 10, rate));
      if (rows.isEmpty()) {
        continue;
      }
      rows.sort(Comparator.comparingDouble(x -> x.getDouble("p99Ms")));
      JsonObject median = rows.get(rows.size() / 2);
      XYSeries s = new XYSeries(t);
      for (Object o : median.getJsonArray("percentiles")) {
        JsonArray pt = (JsonArray) o;
        double pct = pt.getDouble(0);
        if (pct < 100) {
          s.add(1 / (1 - pct / 100), Math.max(0.1, pt.getDouble(1)));
        }
      }
      ds.addSeries(s);
    }
    JFreeChart c =
        ChartFactory.createXYLineChart(
            String.format("Latency percentiles at %.0f msgs/s (run with the median p99)", rate),
            "percentile: 2 = p50, 10 = p90, 100 = p99, 1000 = p99.9", "ms", ds,
            PlotOrientation.VERTICAL, true, false, false);
    c.getXYPlot().setDomainAxis(logAxis("percentile as 1 / (1 − p): 10 = p90, 100 = p99, 1,000 = p99.9"));
    logY(c, "latency ms (log)");
    return save(c, out, "latency-percentiles.png");
  }

  private static String fanout(Results r, Path out) throws Exception {
    XYSeriesCollection ds = new XYSeriesCollection();
    for (String t : r.fanout.stream().map(x -> x.getString("target")).distinct().toList()) {
      XYSeries s = new XYSeries(t);
      for (JsonObject x : r.fanout) {
        if (x.getString("target").equals(t) && x.getDouble("maxDeliveriesPerS") > 0) {
          s.add(x.getInteger("subscribers").doubleValue(), x.getDouble("maxDeliveriesPerS"));
        }
      }
      ds.addSeries(s);
    }
    JFreeChart c =
        ChartFactory.createXYLineChart(
            "Maximum sustained deliveries/s vs subscribers per conversation (p99 ≤ 100 ms)",
            "subscribers", "deliveries/s", ds, PlotOrientation.VERTICAL, true, false, false);
    c.getXYPlot().setDomainAxis(logAxis("subscribers per conversation (log)"));
    logY(c, "deliveries/s (log)");
    return save(c, out, "fanout.png");
  }

  private static String memory(Results r, Path out) throws Exception {
    DefaultCategoryDataset ds = new DefaultCategoryDataset();
    for (String t : r.memory.stream().map(x -> x.getString("target")).distinct().toList()) {
      double[] s = r.memorySlope(t);
      if (s != null) {
        ds.addValue(s[0] / 1024, "heap", t);
        ds.addValue(s[1] / 1024, "direct", t);
        ds.addValue(s[2] / 1024, "RSS", t);
      }
    }
    JFreeChart c =
        ChartFactory.createBarChart(
            "Memory per idle SSE stream (KiB, slope between the two highest counts)",
            "target", "KiB per stream", ds, PlotOrientation.VERTICAL, true, false, false);
    return save(c, out, "memory-per-stream.png");
  }
}
