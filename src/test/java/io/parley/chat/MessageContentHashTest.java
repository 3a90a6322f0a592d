package io.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A resent clientId is the same message only when its content hash matches the first send's. */
class MessageContentHashTest {
  private static final String CONV = "cccccccccccccccccccccccc";
  private static final String UPLOAD_1 = "111111111111111111111111";
  private static final String UPLOAD_2 = "222222222222222222222222";

  @Test
  void sameContentHasTheSameHash() {
    assertThat(MessageService.contentHash(CONV, "hello", List.of(UPLOAD_1)))
        .isEqualTo(MessageService.contentHash(CONV, "hello", List.of(UPLOAD_1)))
        .matches("2:[0-9a-f]{64}");
  }

  @Test
  void differentTextChangesTheHash() {
    assertThat(MessageService.contentHash(CONV, "hello", List.of()))
        .isNotEqualTo(MessageService.contentHash(CONV, "hello!", List.of()));
  }

  @Test
  void differentConversationChangesTheHash() {
    assertThat(MessageService.contentHash(CONV, "hello", List.of()))
        .isNotEqualTo(MessageService.contentHash("dddddddddddddddddddddddd", "hello", List.of()));
  }

  @Test
  void movingCharactersBetweenConversationAndTextChangesTheHash() {
    assertThat(MessageService.contentHash("ab", "c", List.of()))
        .isNotEqualTo(MessageService.contentHash("a", "bc", List.of()));
  }

  @Test
  void addingAnAttachmentChangesTheHash() {
    assertThat(MessageService.contentHash(CONV, "hello", List.of()))
        .isNotEqualTo(MessageService.contentHash(CONV, "hello", List.of(UPLOAD_1)));
  }

  @Test
  void attachmentOrderChangesTheHash() {
    assertThat(MessageService.contentHash(CONV, "", List.of(UPLOAD_1, UPLOAD_2)))
        .isNotEqualTo(MessageService.contentHash(CONV, "", List.of(UPLOAD_2, UPLOAD_1)));
  }

  @Test
  void aNulInTheTextCannotPassForTheStartOfAnAttachmentId() {
    assertThat(MessageService.contentHash(CONV, "hi\u0000" + UPLOAD_1, List.of()))
        .isNotEqualTo(MessageService.contentHash(CONV, "hi", List.of(UPLOAD_1)));
  }

  @Test
  void aMessageStoredWithTheUnversionedHashIsStillRecognised() {
    String stored = MessageService.legacyContentHash(CONV, "hello", List.of(UPLOAD_1));
    assertThat(sameContent(stored, "hello", List.of(UPLOAD_1))).isTrue();
    assertThat(sameContent(stored, "hello!", List.of(UPLOAD_1))).isFalse();
  }

  @Test
  void aMessageStoredWithTheCurrentHashIsComparedWithTheCurrentHash() {
    String stored = MessageService.contentHash(CONV, "hi", List.of(UPLOAD_1));
    assertThat(sameContent(stored, "hi", List.of(UPLOAD_1))).isTrue();
    assertThat(sameContent(stored, "hi\u0000" + UPLOAD_1, List.of())).isFalse();
  }

  /** As a resend checks it: with the hash the send computed for its own content. */
  private static boolean sameContent(String stored, String text, List<String> ids) {
    return MessageService.sameContent(
        stored, MessageService.contentHash(CONV, text, ids), CONV, text, ids);
  }
}
