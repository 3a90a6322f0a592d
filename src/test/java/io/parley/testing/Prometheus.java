package io.parley.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading a node's {@code /metrics} scrape (Prometheus text format). */
public final class Prometheus {
  private Prometheus() {}

  /**
   * Sum of every sample of a metric whose labels contain {@code labelFilter} (all label sets when
   * null), or NaN when there is none.
   */
  public static double sample(String scrape, String name, String labelFilter) {
    double sum = 0;
    boolean any = false;
    Pattern p =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*})?\\s+(\\S+)", Pattern.MULTILINE);
    Matcher m = p.matcher(scrape);
    while (m.find()) {
      String labels = m.group(1) == null ? "" : m.group(1);
      if (labelFilter == null || labels.contains(labelFilter)) {
        sum += Double.parseDouble(m.group(2));
        any = true;
      }
    }
    return any ? sum : Double.NaN;
  }
}
