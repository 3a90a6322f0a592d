package io.parley.config;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses a {@code .env} file: {@code KEY=value} lines, {@code #} comments, optional quotes. */
final class DotEnv {
  private DotEnv() {}

  static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : text.split("\\R")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.startsWith("export ")) {
        l = l.substring(7).strip();
      }
      int eq = l.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String key = l.substring(0, eq).strip();
      String value = l.substring(eq + 1).strip();
      if (value.length() >= 2
          && (value.charAt(0) == '"' || value.charAt(0) == '\'')
          && value.charAt(value.length() - 1) == value.charAt(0)) {
        value = value.substring(1, value.length() - 1);
      } else {
        int hash = value.indexOf(" #");
        if (hash >= 0) {
          value = value.substring(0, hash).strip();
        }
      }
      out.put(key, value);
    }
    return out;
  }
}
