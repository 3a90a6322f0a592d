package io.parley.http;

import io.parley.bus.ApiError;
import io.parley.bus.Failure;
import io.parley.security.StrictUtf8;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import java.util.Map;

/**
 * Reads a JSON request body and validates it against a JSON Schema (vertx-json-schema). Bad input
 * is answered here with a 400 and an error code; the route never sees it.
 */
public final class RequestBody {
  private RequestBody() {}

  /** A compiled schema for one kind of request body. */
  public static final class Schema {
    private final Validator validator;

    private Schema(JsonObject schema) {
      this.validator =
          Validator.create(
              JsonSchema.of(schema),
              new JsonSchemaOptions()
                  .setDraft(Draft.DRAFT202012)
                  .setBaseUri("https://parley.invalid/schemas/")
                  .setOutputFormat(OutputFormat.Basic));
    }

    public static Schema of(JsonObject schema) {
      return new Schema(schema);
    }

    /**
     * An object with exactly these properties (no others), the named ones required. Property
     * schemas are JSON Schema objects.
     */
    public static Schema object(Map<String, JsonObject> properties, String... required) {
      JsonObject props = new JsonObject();
      properties.forEach(props::put);
      return new Schema(
          new JsonObject()
              .put("type", "object")
              .put("additionalProperties", false)
              .put("properties", props)
              .put("required", new JsonArray(java.util.List.of((Object[]) required))));
    }
  }

  /** {@code {"type":"string", "minLength": min, "maxLength": max}}. */
  public static JsonObject string(int min, int max) {
    return new JsonObject().put("type", "string").put("minLength", min).put("maxLength", max);
  }

  /**
   * The body as a validated JSON object, or null after answering 400 ({@code invalid_json} when it
   * does not parse or is not an object, {@code validation_failed} when the schema rejects it).
   */
  public static JsonObject read(RoutingContext rc, Schema schema) {
    JsonObject body = parse(rc);
    if (body == null) {
      return null;
    }
    String operatorKey = findDollarKey(body);
    if (operatorKey != null) {
      reject(
          rc,
          "validation_failed",
          "Keys starting with $ are not allowed: " + operatorKey,
          operatorKey);
      return null;
    }
    String brokenText = findUnpairedSurrogate(body, "");
    if (brokenText != null) {
      reject(
          rc,
          "validation_failed",
          (brokenText.isEmpty() ? "a key" : brokenText)
              + ": not valid Unicode text (an unpaired surrogate escape)",
          brokenText);
      return null;
    }
    OutputUnit out = schema.validator.validate(body);
    if (Boolean.TRUE.equals(out.getValid())) {
      return body;
    }
    OutputUnit first =
        out.getErrors() == null || out.getErrors().isEmpty() ? out : out.getErrors().get(0);
    String field = fieldOf(first, body);
    String error = first.getError() == null ? "is not valid" : first.getError();
    reject(rc, "validation_failed", (field.isEmpty() ? "body" : field) + ": " + error, field);
    return null;
  }

  /** The body as a JSON object, or null after answering 400 {@code invalid_json}. */
  public static JsonObject parse(RoutingContext rc) {
    Buffer buf = rc.body() == null ? null : rc.body().buffer();
    if (buf == null || buf.length() == 0) {
      Responses.error(rc, 400, "invalid_json", "A JSON object body is required");
      return null;
    }
    // strictly: Jackson alone lets malformed sequences through (an overlong C0 AF becomes '/')
    byte[] bytes = buf.getBytes();
    String text = StrictUtf8.decode(bytes, 0, bytes.length);
    if (text == null) {
      Responses.error(rc, 400, "invalid_json", "The body is not valid UTF-8");
      return null;
    }
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (DecodeException e) {
      Responses.error(rc, 400, "invalid_json", "The body is not valid JSON");
      return null;
    }
    if (!(value instanceof JsonObject o)) {
      Responses.error(rc, 400, "invalid_json", "The body must be a JSON object");
      return null;
    }
    return o;
  }

  private static void reject(RoutingContext rc, String code, String message, String field) {
    Responses.error(
        rc,
        field == null || field.isEmpty()
            ? ApiError.of(Failure.BAD_REQUEST, code, message)
            : ApiError.invalid(field, code, message));
  }

  /** The JSON pointer of the offending value as a dotted field name ("" for the whole body). */
  private static String fieldOf(OutputUnit unit, JsonObject body) {
    String loc = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
    loc = loc.replaceFirst("^#", "").replaceFirst("^/", "").replace('/', '.');
    if (loc.isEmpty() && unit.getKeywordLocation() != null) {
      String kw = unit.getKeywordLocation();
      if (kw.endsWith("/required") || kw.endsWith("additionalProperties")) {
        String err = String.valueOf(unit.getError());
        int q1 = err.indexOf('\'');
        int q2 = err.indexOf('\'', q1 + 1);
        if (q1 >= 0 && q2 > q1) {
          return err.substring(q1 + 1, q2);
        }
      }
    }
    return loc;
  }

  /**
   * The dotted name of the first key or string value, at any depth, holding an unpaired UTF-16
   * surrogate (JSON's escapes allow half of a surrogate pair alone, which names no character and is
   * stored mangled); null when there is none.
   */
  static String findUnpairedSurrogate(Object v, String path) {
    if (v instanceof String s) {
      return hasUnpairedSurrogate(s) ? path : null;
    }
    if (v instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String name = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        if (hasUnpairedSurrogate(e.getKey())) {
          return path;
        }
        String inner = findUnpairedSurrogate(e.getValue(), name);
        if (inner != null) {
          return inner;
        }
      }
    } else if (v instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        String inner = findUnpairedSurrogate(a.getValue(i), path + "." + i);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }

  private static boolean hasUnpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Any key, at any depth, starting with '$' (a MongoDB operator smuggled into a body). */
  static String findDollarKey(Object v) {
    if (v instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        if (e.getKey().startsWith("$")) {
          return e.getKey();
        }
        String inner = findDollarKey(e.getValue());
        if (inner != null) {
          return inner;
        }
      }
    } else if (v instanceof JsonArray a) {
      for (Object x : a) {
        String inner = findDollarKey(x);
        if (inner != null) {
          return inner;
        }
      }
    }
    return null;
  }
}
