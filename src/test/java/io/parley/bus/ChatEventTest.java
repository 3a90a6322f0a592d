package io.parley.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatEventTest {

  @Test
  void jsonDataIsOneDataLineWithTheIdAndEventName() {
    String data = new JsonObject().put("text", "line one\nline two").put("n", 1).encode();
    assertThat(ChatEvent.frame("1-m-c-5", "message.created", data).toString())
        .isEqualTo(
            "id: 1-m-c-5\nevent: message.created\ndata: {\"text\":\"line one\\nline two\",\"n\":1}\n\n");
  }

  @Test
  void anEphemeralEventHasNoIdLine() {
    assertThat(ChatEvent.frame(null, "typing", "{}").toString())
        .isEqualTo("event: typing\ndata: {}\n\n");
    assertThat(ChatEvent.frame("", "typing", "{}").toString())
        .isEqualTo("event: typing\ndata: {}\n\n");
  }

  @Test
  void rawLineBreaksOfEveryKindBecomeSeparateDataLines() {
    assertThat(ChatEvent.frame("7", "note", "a\nb\r\nc\rd").toString())
        .isEqualTo("id: 7\nevent: note\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
    assertThat(ChatEvent.frame("7", "note", "end\n").toString())
        .isEqualTo("id: 7\nevent: note\ndata: end\ndata: \n\n");
  }

  @Test
  void ofEncodesTheFrameOnceAndKeepsRecipientsImmutable() {
    ChatEvent e =
        ChatEvent.of("9", "receipt", "c", List.of("u1", "u2"), new JsonObject().put("seq", 3));
    assertThat(e.frame().toString()).isEqualTo("id: 9\nevent: receipt\ndata: {\"seq\":3}\n\n");
    assertThat(e.recipients()).containsExactly("u1", "u2");
    assertThat(e.frame()).isSameAs(e.frame());
  }
}
