package dev.cohort.examples;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Renders the demo's charts to PNG files (headless). */
final class Charts {
  private Charts() {}

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** Jobs completed per second over time, with a labelled vertical line per event. */
  static Path throughput(Path dir, String title, Timeline timeline) {
    List<double[]> rate = timeline.ratePerBin(0.5);
    XYChart chart = new XYChartBuilder().width(1200).height(560).title(title)
        .xAxisTitle("seconds since start").yAxisTitle("jobs completed per second").build();
    style(chart);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setXAxisDecimalPattern("0");
    XYSeries s = chart.addSeries("completed/s", rate.stream().mapToDouble(p -> p[0]).toArray(),
        rate.stream().mapToDouble(p -> p[1]).toArray());
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(new Color(0x1f77b4));
    double top = Math.max(1, rate.stream().mapToDouble(p -> p[1]).max().orElse(1));
    chart.getStyler().setYAxisMax(top * 1.35);
    int i = 0;
    for (Timeline.Event e : timeline.events()) {
      AnnotationLine line = new AnnotationLine(e.seconds(), true, false);
      chart.addAnnotation(line);
      // Stagger the labels over four heights so neighbouring events stay readable.
      double y = top * (1.30 - 0.07 * (i++ % 5));
      chart.addAnnotation(new AnnotationText(e.kind(), e.seconds(), y, false));
    }
    chart.getStyler().setAnnotationLineColor(new Color(0xd62728));
    chart.getStyler().setAnnotationTextFontColor(new Color(0x7f0000));
    return save(chart, dir.resolve("jobs-throughput.png"));
  }

  /** Throughput against workers, with the ideal linear line for comparison. */
  static Path capacity(Path dir, int[] workers, double[] measured, double perWorker) {
    XYChart chart = new XYChartBuilder().width(900).height(520).title("Capacity: jobs per second vs workers")
        .xAxisTitle("workers").yAxisTitle("jobs completed per second").build();
    style(chart);
    double[] x = new double[workers.length];
    double[] ideal = new double[workers.length];
    for (int i = 0; i < workers.length; i++) {
      x[i] = workers[i];
      ideal[i] = perWorker * workers[i];
    }
    XYSeries m = chart.addSeries("measured", x, measured);
    m.setMarker(SeriesMarkers.CIRCLE);
    XYSeries l = chart.addSeries("ideal (linear)", x, ideal);
    l.setMarker(SeriesMarkers.NONE);
    l.setLineColor(Color.GRAY);
    return save(chart, dir.resolve("capacity.png"));
  }

  private static void style(XYChart chart) {
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesVisible(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
  }

  private static Path save(XYChart chart, Path file) {
    try {
      Files.createDirectories(file.getParent());
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }
}
