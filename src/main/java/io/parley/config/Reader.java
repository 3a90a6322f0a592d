package io.parley.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads from the merged config tree. A bad value records a problem naming the key and the
 * variable it came from, and yields a neutral value so that reading goes on and every problem is
 * reported at once.
 */
final class Reader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");

  private final JsonObject tree;
  private final Map<String, String> sources;
  private final List<String> problems;

  Reader(JsonObject tree, Map<String, String> sources, List<String> problems) {
    this.tree = tree;
    this.sources = sources;
    this.problems = problems;
  }

  void problem(String path, String message) {
    String source = sources.get(path);
    problems.add(path + (source != null ? " (" + source + ")" : "") + ": " + message);
  }

  boolean hasProblem(String path) {
    return problems.stream().anyMatch(p -> p.startsWith(path + " ") || p.startsWith(path + ":"));
  }

  Object raw(String path) {
    Object o = tree;
    for (String part : path.split("\\.")) {
      if (!(o instanceof JsonObject j)) {
        return null;
      }
      o = j.getValue(part);
    }
    return o;
  }

  String string(String path) {
    Object v = raw(path);
    if (v == null) {
      return "";
    }
    if (v instanceof JsonObject || v instanceof JsonArray) {
      problem(path, "must be a single value");
      return "";
    }
    return String.valueOf(v).trim();
  }

  JsonObject object(String path) {
    Object v = raw(path);
    if (v == null || v instanceof JsonObject) {
      return (JsonObject) v;
    }
    problem(path, "must be a mapping of name: value");
    return null;
  }

  List<String> stringList(String path) {
    Object v = raw(path);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray a) {
      for (Object o : a) {
        if (o != null && !String.valueOf(o).isBlank()) {
          out.add(String.valueOf(o).trim());
        }
      }
    } else if (v instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    } else if (v != null) {
      problem(path, "must be a list");
    }
    return out;
  }

  boolean bool(String path) {
    Object v = raw(path);
    if (v instanceof Boolean b) {
      return b;
    }
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "yes", "on", "1" -> true;
      case "false", "no", "off", "0", "" -> false;
      default -> {
        problem(path, "\"" + v + "\" is not true or false");
        yield false;
      }
    };
  }

  long longRange(String path, long min, long max) {
    Object v = raw(path);
    long n;
    if (v instanceof Number num && !(v instanceof Double || v instanceof Float)) {
      n = num.longValue();
    } else {
      try {
        n = Long.parseLong(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        problem(path, "\"" + v + "\" is not an integer");
        return min;
      }
    }
    if (n < min || n > max) {
      problem(path, n + " is out of range " + min + ".." + max);
      return min;
    }
    return n;
  }

  int intRange(String path, int min, int max) {
    return (int) longRange(path, min, max);
  }

  <E extends Enum<E>> E enumValue(String path, Class<E> type) {
    String s = string(path);
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    problem(path, "\"" + s + "\" is not one of " + String.join(", ", names));
    return null;
  }

  String oneOf(String path, List<String> allowed) {
    String s = string(path).toLowerCase(Locale.ROOT);
    if (!allowed.contains(s)) {
      problem(path, "\"" + s + "\" is not one of " + String.join(", ", allowed));
      return allowed.get(0);
    }
    return s;
  }

  Path path(String path, Path base) {
    String s = string(path);
    if (s.isEmpty()) {
      problem(path, "must not be empty");
      return base;
    }
    return base.resolve(s).normalize();
  }

  Duration duration(String path) {
    String s = string(path).toLowerCase(Locale.ROOT);
    Duration d = parseDuration(s);
    if (d == null || d.isZero() || d.compareTo(Duration.ofDays(365)) > 0) {
      problem(path, "\"" + s + "\" is not a duration between 1s and 365d (e.g. 3600, 15m, 7d)");
      return Duration.ofDays(7);
    }
    return d;
  }

  /** Seconds when no unit is given, as the seed's jsonwebtoken does. */
  static Duration parseDuration(String s) {
    Matcher m = DURATION.matcher(s.trim());
    if (!m.matches()) {
      return null;
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    String unit = m.group(2) == null ? "s" : m.group(2);
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (ArithmeticException e) {
      return null;
    }
  }
}
