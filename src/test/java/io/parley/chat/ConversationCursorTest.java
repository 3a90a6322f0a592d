package io.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.chat.ConversationRepository.Cursor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The {@code cursor} of the conversation list, as clients send it back. */
class ConversationCursorTest {
  private static final String ID = "0123456789abcdef01234567";

  @Test
  void encodedCursorDecodesToTheSamePosition() {
    Cursor c = new Cursor(1_790_000_000_000L, ID);

    assertThat(Cursor.decode(c.encode())).isEqualTo(c);
  }

  @Test
  void encodedCursorIsUrlSafeWithoutPadding() {
    assertThat(new Cursor(1_790_000_000_001L, ID).encode()).matches("[A-Za-z0-9_-]+");
  }

  @Test
  void textThatIsNotBase64IsNoCursor() {
    assertThat(Cursor.decode("not base64!")).isNull();
  }

  @Test
  void cursorWithoutAColonIsNoCursor() {
    assertThat(Cursor.decode(encode("1790000000000"))).isNull();
  }

  @Test
  void cursorWithANonNumericTimeIsNoCursor() {
    assertThat(Cursor.decode(encode("soon:" + ID))).isNull();
  }

  @Test
  void cursorWhoseIdIsNotAnIdIsNoCursor() {
    assertThat(Cursor.decode(encode("1790000000000:" + ID.toUpperCase()))).isNull();
    assertThat(Cursor.decode(encode("1790000000000:{\"$gt\":\"\"}"))).isNull();
  }

  @Test
  void emptyTextIsNoCursor() {
    assertThat(Cursor.decode("")).isNull();
  }

  private static String encode(String raw) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
  }
}
