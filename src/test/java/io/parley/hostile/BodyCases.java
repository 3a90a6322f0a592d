package io.parley.hostile;

import static io.parley.hostile.HostileNode.named;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;

/**
 * The hostile bodies every JSON route gets: not JSON, not an object, not UTF-8, too deep, too big,
 * unknown and operator keys, and every field of the route replaced by every other JSON type and by
 * operator objects. Each case starts from a body that would succeed, so a case that got through
 * would change the database and fail on that too.
 */
final class BodyCases {
  private BodyCases() {}

  /** The JSON type a field must have. */
  enum Kind {
    STRING,
    NULLABLE_STRING,
    INTEGER,
    STRING_ARRAY
  }

  /**
   * A JSON route: its method and path, whose token it is called with, a body that would succeed
   * (built fresh for each case), its fields and which of them are required, and the free-text field
   * (stored as given) that byte-level cases aim at.
   */
  record Route(
      String name,
      HttpMethod method,
      Supplier<String> path,
      Supplier<String> token,
      Supplier<JsonObject> valid,
      Map<String, Kind> fields,
      Set<String> required,
      String textField) {
    Route(
        String name,
        HttpMethod method,
        Supplier<String> path,
        Supplier<String> token,
        Supplier<JsonObject> valid,
        Map<String, Kind> fields,
        Set<String> required) {
      this(name, method, path, token, valid, fields, required, null);
    }
  }

  static Map<String, Kind> fields(Object... nameKind) {
    Map<String, Kind> m = new LinkedHashMap<>();
    for (int i = 0; i < nameKind.length; i += 2) {
      m.put((String) nameKind[i], (Kind) nameKind[i + 1]);
    }
    return m;
  }

  /** Values of the wrong type (or operator objects) for a field of this kind. */
  static Map<String, Object> wrong(Kind kind) {
    Map<String, Object> v = new LinkedHashMap<>();
    if (kind != Kind.INTEGER) {
      v.put("an integer", 12345);
    }
    v.put("a fraction", 1.5);
    v.put("a boolean", true);
    if (kind != Kind.NULLABLE_STRING) {
      v.put("null", null);
    }
    if (kind != Kind.STRING && kind != Kind.NULLABLE_STRING) {
      v.put("a string", "12");
    }
    if (kind != Kind.STRING_ARRAY) {
      v.put("an array", new JsonArray().add("x"));
    }
    v.put("an object", new JsonObject().put("x", "y"));
    v.put("{$ne: null}", new JsonObject().putNull("$ne"));
    v.put("{$where: ...}", new JsonObject().put("$where", "sleep(1000) || true"));
    v.put("{a.b: x} (dotted key)", new JsonObject().put("a.b", "x"));
    if (kind == Kind.STRING_ARRAY) {
      v.put("[12345]", new JsonArray().add(12345));
      v.put("[null]", new JsonArray().addNull());
      v.put("[[...]]", new JsonArray().add(new JsonArray().add("x")));
      v.put("[{$ne: null}]", new JsonArray().add(new JsonObject().putNull("$ne")));
      v.put("{$in: [...]}", new JsonObject().put("$in", new JsonArray().add("x")));
    }
    if (kind == Kind.INTEGER) {
      v.put("1e400", new RawNumber("1e400"));
      v.put("2^64", new RawNumber("18446744073709551616"));
      v.put("-1", -1);
    }
    return v;
  }

  /** A number written into the body verbatim (one Java cannot hold). */
  record RawNumber(String text) {}

  static List<DynamicTest> of(HostileNode n, Route r) {
    List<DynamicTest> out = new ArrayList<>();
    String first = firstString(r);
    add(out, r, "an empty body", 400, "invalid_json", n, () -> new byte[0]);
    for (String notObject : List.of("null", "[]", "\"text\"", "42", "true")) {
      add(out, r, "the body " + notObject, 400, "invalid_json", n, () -> utf8(notObject));
    }
    add(out, r, "truncated JSON", 400, "invalid_json", n, () -> utf8("{\"" + first + "\":"));
    add(
        out,
        r,
        "JSON followed by junk",
        400,
        "invalid_json",
        n,
        () -> utf8(r.valid().get().encode() + " {}"));
    if (first != null) {
      add(
          out,
          r,
          "invalid UTF-8 in " + first,
          400,
          "invalid_json",
          n,
          () -> withBytes(r.valid().get(), first, new byte[] {'a', (byte) 0xC3, '(', 'b'}));
      add(
          out,
          r,
          "an overlong UTF-8 '/' in " + first,
          400,
          "invalid_json",
          n,
          () -> withBytes(r.valid().get(), first, new byte[] {(byte) 0xC0, (byte) 0xAF}));
      add(
          out,
          r,
          "a lone surrogate in " + first,
          400,
          "validation_failed",
          n,
          () -> utf8(r.valid().get().put(first, "@@").encode().replace("@@", "a\\ud800b")));
      add(
          out,
          r,
          "arrays nested 5000 deep in " + first,
          400,
          "invalid_json",
          n,
          () -> utf8(r.valid().get().put(first, "@@").encode().replace("\"@@\"", nested(5000))));
      add(
          out,
          r,
          "arrays nested 500 deep in " + first,
          400,
          "validation_failed",
          n,
          () -> utf8(r.valid().get().put(first, "@@").encode().replace("\"@@\"", nested(500))));
      add(
          out,
          r,
          "objects nested 500 deep with an operator at the bottom in " + first,
          400,
          "validation_failed",
          n,
          () ->
              utf8(
                  r.valid()
                      .get()
                      .put(first, "@@")
                      .encode()
                      .replace("\"@@\"", nestedObjects(500, "{\"$ne\":null}"))));
      add(
          out,
          r,
          "a 70 KB body",
          413,
          "payload_too_large",
          n,
          () -> utf8(r.valid().get().put(first, "x".repeat(70_000)).encode()));
    }
    out.add(
        named(
            r.name() + ": a 300 KB chunked body",
            () ->
                n.refused(
                    413,
                    "payload_too_large",
                    () ->
                        RawHttp.sendChunked(
                            n.port(),
                            r.method().name(),
                            r.path().get(),
                            withJson(HostileNode.bearer(r.token().get())),
                            300_000,
                            (byte) ' '))));
    add(out, r, "an unknown field", 400, "validation_failed", n, () -> json(r, "role", "admin"));
    add(
        out,
        r,
        "a top-level $where",
        400,
        "validation_failed",
        n,
        () -> json(r, "$where", "this.phone != null"));
    add(
        out,
        r,
        "a top-level $set",
        400,
        "validation_failed",
        n,
        () -> json(r, "$set", new JsonObject().put("admins", new JsonArray())));
    add(out, r, "a dotted key", 400, "validation_failed", n, () -> json(r, first + ".x", "y"));
    add(out, r, "a key with a NUL", 400, "validation_failed", n, () -> json(r, first + "\0", "y"));
    if (first != null) {
      add(
          out,
          r,
          "the same key again as an operator",
          400,
          "validation_failed",
          n,
          () -> {
            String body = r.valid().get().encode();
            return utf8(
                body.substring(0, body.length() - 1) + ",\"" + first + "\":{\"$ne\":null}}");
          });
    }
    for (String req : r.required()) {
      add(
          out,
          r,
          "no " + req,
          400,
          "validation_failed",
          n,
          () -> {
            JsonObject b = r.valid().get();
            b.remove(req);
            return utf8(b.encode());
          });
    }
    r.fields()
        .forEach(
            (field, kind) ->
                wrong(kind)
                    .forEach(
                        (what, value) ->
                            add(
                                out,
                                r,
                                field + " as " + what,
                                400,
                                "validation_failed",
                                n,
                                () -> withValue(r.valid().get(), field, value))));
    return out;
  }

  private static void add(
      List<DynamicTest> out,
      Route r,
      String name,
      int status,
      String code,
      HostileNode n,
      Supplier<byte[]> body) {
    out.add(
        named(
            r.name() + ": " + name,
            () ->
                n.refused(
                    status,
                    code,
                    () -> n.bytes(r.method(), r.path().get(), body.get(), r.token().get()))));
  }

  private static String firstString(Route r) {
    if (r.textField() != null) {
      return r.textField();
    }
    return r.fields().entrySet().stream()
        .filter(e -> e.getValue() == Kind.STRING || e.getValue() == Kind.NULLABLE_STRING)
        .filter(e -> r.valid().get().getValue(e.getKey()) instanceof String)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }

  private static byte[] json(Route r, String key, Object value) {
    return utf8(r.valid().get().put(key, value).encode());
  }

  private static byte[] withValue(JsonObject body, String field, Object value) {
    if (value instanceof RawNumber raw) {
      return utf8(body.put(field, "@@").encode().replace("\"@@\"", raw.text()));
    }
    return utf8(body.put(field, value).encode());
  }

  /** The body with the field's string value replaced by these raw bytes (inside the quotes). */
  private static byte[] withBytes(JsonObject body, String field, byte[] raw) {
    String[] parts = body.put(field, "@@").encode().split("@@", 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8(parts[0]));
    out.writeBytes(raw);
    out.writeBytes(utf8(parts[1]));
    return out.toByteArray();
  }

  static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  static String nestedObjects(int depth, String bottom) {
    return "{\"a\":".repeat(depth) + bottom + "}".repeat(depth);
  }

  private static Map<String, String> withJson(Map<String, String> h) {
    h.put("Content-Type", "application/json");
    return h;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
