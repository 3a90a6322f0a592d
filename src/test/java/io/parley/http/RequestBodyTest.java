package io.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The checks {@link RequestBody#read} makes before the schema sees a body. */
class RequestBodyTest {
  private static final String LONE_HIGH = "\uD83D";
  private static final String LONE_LOW = "\uDE00";
  private static final String PAIRED = "\uD83D\uDE00";

  @Test
  void bodyWithoutDollarKeysPasses() {
    JsonObject body =
        new JsonObject()
            .put("text", "$100 is a price, not an operator")
            .put("tags", new JsonArray().add("$x").add(new JsonObject().put("a$", 1)));

    assertThat(RequestBody.findDollarKey(body)).isNull();
  }

  @Test
  void topLevelDollarKeyIsFound() {
    assertThat(RequestBody.findDollarKey(new JsonObject().put("$where", "1"))).isEqualTo("$where");
  }

  @Test
  void dollarKeyNestedInObjectsIsFound() {
    JsonObject body =
        new JsonObject().put("a", new JsonObject().put("b", new JsonObject().put("$gt", "")));

    assertThat(RequestBody.findDollarKey(body)).isEqualTo("$gt");
  }

  @Test
  void dollarKeyInsideAnArrayIsFound() {
    JsonObject body =
        new JsonObject()
            .put("memberIds", new JsonArray().add("x").add(new JsonObject().put("$ne", null)));

    assertThat(RequestBody.findDollarKey(body)).isEqualTo("$ne");
  }

  @Test
  void textWithPairedSurrogatesPasses() {
    JsonObject body =
        new JsonObject()
            .put("text", "smile " + PAIRED)
            .put(PAIRED, new JsonArray().add(PAIRED + PAIRED));

    assertThat(RequestBody.findUnpairedSurrogate(body, "")).isNull();
  }

  @Test
  void loneHighSurrogateInAValueNamesTheField() {
    JsonObject body = new JsonObject().put("text", "end " + LONE_HIGH);

    assertThat(RequestBody.findUnpairedSurrogate(body, "")).isEqualTo("text");
  }

  @Test
  void loneLowSurrogateInAValueNamesTheField() {
    JsonObject body = new JsonObject().put("title", LONE_LOW + " start");

    assertThat(RequestBody.findUnpairedSurrogate(body, "")).isEqualTo("title");
  }

  @Test
  void surrogatesInTheWrongOrderAreUnpaired() {
    JsonObject body = new JsonObject().put("text", LONE_LOW + LONE_HIGH);

    assertThat(RequestBody.findUnpairedSurrogate(body, "")).isEqualTo("text");
  }

  @Test
  void brokenValueDeepInsideIsNamedByItsDottedPath() {
    JsonObject body =
        new JsonObject()
            .put(
                "profile",
                new JsonObject().put("names", new JsonArray().add("ok").add("bad" + LONE_HIGH)));

    assertThat(RequestBody.findUnpairedSurrogate(body, "")).isEqualTo("profile.names.1");
  }

  @Test
  void brokenTopLevelKeyIsNamedAsTheWholeBody() {
    JsonObject body = new JsonObject().put("k" + LONE_HIGH, "v");

    assertThat(RequestBody.findUnpairedSurrogate(body, "")).isEmpty();
  }

  @Test
  void brokenNestedKeyIsNamedByTheObjectHoldingIt() {
    JsonObject body = new JsonObject().put("outer", new JsonObject().put(LONE_LOW, 1));

    assertThat(RequestBody.findUnpairedSurrogate(body, "")).isEqualTo("outer");
  }

  @Test
  void stringSchemaBoundsTheLength() {
    assertThat(RequestBody.string(1, 64))
        .isEqualTo(new JsonObject().put("type", "string").put("minLength", 1).put("maxLength", 64));
  }
}
