package io.parley.hostile;

import static io.parley.hostile.BodyCases.Kind.INTEGER;
import static io.parley.hostile.BodyCases.Kind.STRING;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.hostile.BodyCases.Route;
import io.parley.hostile.HostileNode.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Hostile requests against receipts and typing notices: bad types and sequence numbers, markers
 * pushed backwards, conversations one is not in, bodies where none is read, and the typing limit.
 */
class ReceiptsTypingHostileIT extends HostileSuite {
  /** A group of Mallory's with Carol holding one message of Mallory's that Carol has not read. */
  String unread;

  @BeforeAll
  void unreadGroup() {
    unread = n.group(n.mallory, n.carol);
    n.api.send(n.mallory, unread, "read me");
  }

  private String receipts(String conversationId) {
    return "/api/conversations/" + conversationId + "/receipts";
  }

  private static JsonObject receipt(String type, Object upToSeq) {
    return new JsonObject().put("type", type).put("upToSeq", upToSeq);
  }

  @TestFactory
  Stream<DynamicTest> receiptBodies() {
    return BodyCases.of(
        n,
        new Route(
            "POST /api/conversations/{id}/receipts",
            HttpMethod.POST,
            () -> receipts(unread),
            () -> n.carol.token(),
            () -> receipt("read", 1),
            BodyCases.fields("type", STRING, "upToSeq", INTEGER),
            Set.of("type", "upToSeq")))
        .stream();
  }

  @TestFactory
  Stream<DynamicTest> badReceiptValuesAreRefused() {
    Map<String, JsonObject> cases = new LinkedHashMap<>();
    cases.put("type seen", receipt("seen", 1));
    cases.put("type READ", receipt("READ", 1));
    cases.put("type read with a NUL", receipt("read\0", 1));
    cases.put("upToSeq 0", receipt("read", 0));
    cases.put("upToSeq past 2^53", receipt("read", 9007199254740993L));
    cases.put("upToSeq Long.MIN_VALUE", receipt("read", Long.MIN_VALUE));
    cases.put("a userId of someone else's", receipt("read", 1).put("userId", n.mallory.id()));
    return n.refusedEach(
        cases,
        400,
        "validation_failed",
        body -> n.json(HttpMethod.POST, receipts(unread), body, n.carol.token()));
  }

  @Test
  void markersNeverGoBackwards() {
    String conv = n.group(n.alice, n.bob);
    n.api.send(n.alice, conv, "one");
    n.api.send(n.alice, conv, "two");
    assertThat(
            n.json(HttpMethod.POST, receipts(conv), receipt("read", 2), n.bob.token()).statusCode())
        .isEqualTo(204);
    for (JsonObject older :
        new JsonObject[] {receipt("read", 1), receipt("delivered", 1), receipt("read", 2)}) {
      var res = n.harmless(() -> n.json(HttpMethod.POST, receipts(conv), older, n.bob.token()));
      assertThat(res.statusCode()).isEqualTo(204);
    }
    // far beyond the last message: clamped, and already there
    var res =
        n.harmless(
            () ->
                n.json(
                    HttpMethod.POST,
                    receipts(conv),
                    receipt("read", 9007199254740991L),
                    n.bob.token()));
    assertThat(res.statusCode()).isEqualTo(204);
  }

  // --- typing -----------------------------------------------------------------------------------

  @Test
  void typingStoresNothingWhateverTheBody() {
    String conv = n.group(n.mallory, n.carol);
    for (JsonObject body :
        new JsonObject[] {
          new JsonObject().put("$set", new JsonObject().put("admins", n.mallory.id())),
          new JsonObject().put("conversationId", n.aliceBob),
          new JsonObject().put("userId", n.alice.id())
        }) {
      var res =
          n.harmless(
              () ->
                  n.json(
                      HttpMethod.POST,
                      "/api/conversations/" + conv + "/typing",
                      body,
                      n.mallory.token()));
      assertThat(res.statusCode()).isEqualTo(204);
    }
  }

  @Test
  void typingIsLimited() {
    String conv = n.group(n.mallory, n.carol);
    String path = "/api/conversations/" + conv + "/typing";
    int accepted = 0;
    Reply last = null;
    // 10 per user and conversation per 10 s; a few more than that, quickly
    for (int i = 0; i < 12 && (last == null || last.status() == 204); i++) {
      last = n.harmless(() -> Reply.of(n.api.post(path, null, n.mallory.token())));
      if (last.status() == 204) {
        accepted++;
      }
    }
    assertThat(accepted).isEqualTo(10);
    assertThat(last.status()).isEqualTo(429);
    assertThat(last.code()).isEqualTo("rate_limited");
    assertThat(last.header("Retry-After")).isNotBlank();
    // another conversation of the same user is counted on its own
    String other = n.group(n.mallory, n.carol);
    assertThat(
            n.api
                .post("/api/conversations/" + other + "/typing", null, n.mallory.token())
                .statusCode())
        .isEqualTo(204);
  }
}
