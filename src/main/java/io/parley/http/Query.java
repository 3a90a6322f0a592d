package io.parley.http;

import io.parley.bus.ApiError;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Typed query parameters; the first bad one answers 400 and {@link #failed()} turns true. */
final class Query {
  private final RoutingContext rc;
  private boolean failed;

  Query(RoutingContext rc) {
    this.rc = rc;
  }

  boolean failed() {
    return failed;
  }

  private String single(String name) {
    List<String> all = rc.queryParam(name);
    if (all.isEmpty() || failed) {
      return null;
    }
    if (all.size() > 1) {
      fail(name, name + " must be given once");
      return null;
    }
    return all.get(0);
  }

  Long integer(String name, long min, long max) {
    String s = single(name);
    if (s == null || s.isEmpty()) {
      return null;
    }
    try {
      long v = Long.parseLong(s);
      if (v < min || v > max) {
        fail(name, name + " must be between " + min + " and " + max);
        return null;
      }
      return v;
    } catch (NumberFormatException e) {
      fail(name, name + " must be an integer");
      return null;
    }
  }

  Boolean bool(String name) {
    String s = single(name);
    if (s == null || s.isEmpty()) {
      return null;
    }
    return switch (s) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> {
        fail(name, name + " must be true or false");
        yield null;
      }
    };
  }

  String string(String name, int maxLength) {
    String s = single(name);
    if (s != null && s.length() > maxLength) {
      fail(name, name + " is too long");
      return null;
    }
    return s;
  }

  private void fail(String field, String message) {
    if (!failed) {
      failed = true;
      Responses.error(rc, ApiError.invalid(field, message));
    }
  }
}
