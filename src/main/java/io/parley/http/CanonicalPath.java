package io.parley.http;

import io.vertx.ext.web.RoutingContext;

/**
 * Requests are routed only when their path is written in its one canonical form: no empty, {@code
 * .} or {@code ..} segments, no trailing slash (but {@code /} itself), no backslash, and no
 * percent-encoding of a character that needs none (letters, digits, {@code -._~}) or of {@code /}.
 * Anything else answers 404: rules in front of the node (a proxy's {@code location = /metrics}) see
 * the same path the router does.
 */
final class CanonicalPath {
  private CanonicalPath() {}

  static void check(RoutingContext rc) {
    String path = rc.request().path();
    if (path == null || !canonical(path)) {
      Responses.error(rc, 404, "not_found", "No such route");
      return;
    }
    rc.next();
  }

  static boolean canonical(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
      return false;
    }
    int segmentStart = 1;
    for (int i = 1; i <= path.length(); i++) {
      char c = i < path.length() ? path.charAt(i) : '/';
      if (c == '\\') {
        return false;
      }
      if (c == '%') {
        if (i + 2 >= path.length()) {
          return false;
        }
        int hi = Character.digit(path.charAt(i + 1), 16);
        int lo = Character.digit(path.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return false;
        }
        char decoded = (char) (hi * 16 + lo);
        if (decoded == '/' || decoded == '\\' || unreserved(decoded)) {
          return false;
        }
      }
      if (c == '/') {
        String segment = path.substring(segmentStart, i);
        if (path.length() > 1
            && (segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
          return false;
        }
        segmentStart = i + 1;
      }
    }
    return true;
  }

  private static boolean unreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }
}
