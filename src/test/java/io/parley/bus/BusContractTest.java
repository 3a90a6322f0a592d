package io.parley.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class BusContractTest {

  @Test
  void chatEventSurvivesTheWire() {
    ChatEventCodec codec = new ChatEventCodec();
    ChatEvent e =
        new ChatEvent(
            "c1:5",
            "message.created",
            "c1",
            List.of("u1", "ü2"),
            Buffer.buffer("id: c1:5\ndata: {}\n\n"));
    Buffer wire = Buffer.buffer("prefix");
    codec.encodeToWire(wire, e);
    ChatEvent back = codec.decodeFromWire(6, wire);
    assertThat(back.id()).isEqualTo("c1:5");
    assertThat(back.type()).isEqualTo("message.created");
    assertThat(back.conversationId()).isEqualTo("c1");
    assertThat(back.recipients()).containsExactly("u1", "ü2");
    assertThat(back.frame().toString()).isEqualTo("id: c1:5\ndata: {}\n\n");
  }

  @Test
  void localDeliveryDoesNotCopyTheEvent() {
    ChatEvent e = new ChatEvent("", "typing", "c", List.of("u"), Buffer.buffer("x"));
    assertThat(new ChatEventCodec().transform(e)).isSameAs(e);
  }

  @Test
  void clientFailuresMapToTheirHttpStatusAndKeepTheirCode() {
    ReplyException re =
        ApiError.of(Failure.CONFLICT, "client_id_reused", "different body")
            .withDetails(new JsonObject().put("messageId", "m1"))
            .toReplyException();
    assertThat(re.failureCode()).isEqualTo(1409);
    ApiError back = ApiError.from(re);
    assertThat(back.status()).isEqualTo(409);
    assertThat(back.code()).isEqualTo("client_id_reused");
    assertThat(back.toJson().getJsonObject("error").getString("messageId")).isEqualTo("m1");
  }

  @Test
  void missingServiceAndTimeoutAreServerSideStatuses() {
    assertThat(ApiError.from(new ReplyException(ReplyFailure.NO_HANDLERS, "x")).status())
        .isEqualTo(503);
    ApiError timeout = ApiError.from(new ReplyException(ReplyFailure.TIMEOUT, "x"));
    assertThat(timeout.status()).isEqualTo(503);
    assertThat(timeout.code()).isEqualTo("timeout");
    assertThat(timeout.details().getInteger("retryAfterSeconds")).isEqualTo(1);
    ApiError unknown = ApiError.from(new IllegalStateException("secret detail"));
    assertThat(unknown.status()).isEqualTo(500);
    assertThat(unknown.message()).doesNotContain("secret detail");
  }

  @Test
  void everyFailureCodeIsInItsDocumentedRange() {
    for (Failure f : Failure.values()) {
      assertThat(f.code()).isBetween(Failure.CLIENT_MIN, Failure.SERVER_MAX);
      assertThat(f.httpStatus()).isEqualTo(f.code() - 1000);
      assertThat(f.code() >= Failure.SERVER_MIN).isEqualTo(f.httpStatus() >= 500);
    }
  }
}
