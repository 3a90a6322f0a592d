package io.parley.config;

import java.util.List;

/** Every problem found in the configuration, each naming the key (and variable) that caused it. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(format(problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    StringBuilder sb =
        new StringBuilder("Parley cannot start: ")
            .append(problems.size())
            .append(problems.size() == 1 ? " configuration problem" : " configuration problems");
    for (String p : problems) {
      sb.append(System.lineSeparator()).append("  - ").append(p);
    }
    return sb.toString();
  }
}
