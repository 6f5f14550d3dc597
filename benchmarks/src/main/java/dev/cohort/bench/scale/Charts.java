package dev.cohort.bench.scale;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws one PNG per scenario with XChart, headless: cost per operation (µs, log scale) on the
 * left and requests per operation on the right, both against the size on a log axis, one series
 * per backend. Points not measured are left out; a scenario with no measured point gets no chart.
 */
final class Charts {
  private static final int WIDTH = 560;
  private static final int HEIGHT = 380;

  private Charts() {}

  /** Writes {@code scale-<scenario>.png} into {@code dir} and returns it, or null if nothing was measured. */
  static Path write(Scenario scenario, List<Row> rows, Path dir) throws IOException {
    List<Row> measured = rows.stream().filter(r -> r.scenario().equals(scenario.name()) && r.measured()).toList();
    if (measured.isEmpty()) {
      return null;
    }
    XYChart cost = chart(scenario.name() + ": µs per operation", "µs / op", true);
    XYChart requests = chart(scenario.name() + ": requests per operation", "requests / op", true);
    for (Backend backend : Backend.values()) {
      List<Row> series = measured.stream().filter(r -> r.backend() == backend).toList();
      if (series.isEmpty()) {
        continue;
      }
      List<Double> x = new ArrayList<>();
      List<Double> us = new ArrayList<>();
      List<Double> req = new ArrayList<>();
      for (Row r : series) {
        x.add((double) r.size());
        us.add(Math.max(r.microsPerOp(), 0.001));
        req.add(Math.max(r.requestsPerOp(), 0.01));
      }
      add(cost, backend, x, us);
      add(requests, backend, x, req);
    }
    BufferedImage left = BitmapEncoder.getBufferedImage(cost);
    BufferedImage right = BitmapEncoder.getBufferedImage(requests);
    BufferedImage both = new BufferedImage(WIDTH * 2, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = both.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, both.getWidth(), both.getHeight());
      g.drawImage(left, 0, 0, null);
      g.drawImage(right, WIDTH, 0, null);
    } finally {
      g.dispose();
    }
    Path file = dir.resolve("scale-" + scenario.name() + ".png");
    ImageIO.write(both, "png", file.toFile());
    return file;
  }

  private static XYChart chart(String title, String yTitle, boolean logY) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("size n").yAxisTitle(yTitle).build();
    Styler styler = chart.getStyler();
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisDecimalPattern("#,###");
    return chart;
  }

  private static void add(XYChart chart, Backend backend, List<Double> x, List<Double> y) {
    XYSeries s = chart.addSeries(backend.label(), x, y);
    s.setMarker(SeriesMarkers.CIRCLE);
  }
}
