package io.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.chat.Conversation.Removal;
import io.parley.chat.Message.Edit;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The repositories' mapping between stored documents and records: what is written is the shape
 * docs/data-model.md describes (dates as BSON dates), and what is read back is the same record.
 */
class StoredDocumentsTest {
  private static final String ME = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String OTHER = "bbbbbbbbbbbbbbbbbbbbbbbb";
  private static final Instant AT = Instant.parse("2026-12-03T12:00:00.123Z");
  private static final Instant LATER = AT.plusSeconds(60);

  @Test
  void newConversationIsStoredWithEveryDocumentedFieldAndReadsBackTheSame() {
    Conversation c =
        ConversationRepository.newConversation(
            "group", List.of(ME, OTHER), List.of(ME), "Team", ME, null, AT);

    JsonObject doc = ConversationRepository.document(c);

    assertThat(doc.fieldNames())
        .containsExactly(
            "_id",
            "type",
            "members",
            "admins",
            "title",
            "createdBy",
            "createdAt",
            "updatedAt",
            "version",
            "lastSeq",
            "lastMessageAt",
            "archivedBy",
            "readMarkers",
            "deliveredMarkers",
            "receiptsAt",
            "removed");
    assertThat(doc.getString("_id")).matches("[0-9a-f]{24}");
    assertThat(doc.getJsonObject("createdAt").getLong("$date")).isEqualTo(AT.toEpochMilli());
    assertThat(ConversationRepository.fromDocument(doc)).isEqualTo(c);
  }

  @Test
  void directConversationStoresItsPairKeyLast() {
    Conversation c =
        ConversationRepository.newConversation(
            "direct", List.of(ME, OTHER), List.of(), null, ME, ME + ":" + OTHER, AT);

    JsonObject doc = ConversationRepository.document(c);

    assertThat(doc.getString("directKey")).isEqualTo(ME + ":" + OTHER);
    assertThat(List.copyOf(doc.fieldNames())).last().isEqualTo("directKey");
    assertThat(ConversationRepository.fromDocument(doc)).isEqualTo(c);
  }

  @Test
  void markersReceiptsArchiveAndRemovalsReadBackInStoredOrder() {
    Conversation c =
        new Conversation(
            "cccccccccccccccccccccccc",
            "group",
            "Team",
            List.of(ME),
            List.of(ME),
            ME,
            AT,
            LATER,
            3L,
            7L,
            LATER,
            List.of(ME),
            Map.of(ME, 7L),
            Map.of(ME, 7L),
            Map.of(ME, LATER),
            List.of(new Removal(OTHER, LATER)),
            null);

    JsonObject doc = ConversationRepository.document(c);

    assertThat(doc.getJsonArray("removed").getJsonObject(0).getJsonObject("at").getLong("$date"))
        .isEqualTo(LATER.toEpochMilli());
    assertThat(doc.getJsonObject("receiptsAt").getJsonObject(ME).getLong("$date"))
        .isEqualTo(LATER.toEpochMilli());
    assertThat(ConversationRepository.fromDocument(doc)).isEqualTo(c);
  }

  @Test
  void projectedConversationReadsMissingFieldsAsEmpty() {
    Conversation c =
        ConversationRepository.fromDocument(
            new JsonObject()
                .put("_id", "cccccccccccccccccccccccc")
                .put("members", new JsonArray().add(ME))
                .put("lastSeq", 4));

    assertThat(c.members()).containsExactly(ME);
    assertThat(c.lastSeq()).isEqualTo(4L);
    assertThat(c.version()).isEqualTo(1L);
    assertThat(c.admins()).isEmpty();
    assertThat(c.readMarkers()).isEmpty();
    assertThat(c.receiptsAt()).isEmpty();
    assertThat(c.removed()).isEmpty();
    assertThat(c.createdAt()).isNull();
    assertThat(c.marker("read", ME)).isZero();
    assertThat(ConversationRepository.fromDocument(null)).isNull();
  }

  @Test
  void newMessageIsStoredWithEveryDocumentedFieldAndReadsBackTheSame() {
    JsonArray attachments =
        new JsonArray()
            .add(
                new JsonObject()
                    .put("uploadId", "dddddddddddddddddddddddd")
                    .put("filename", "a.png")
                    .put("contentType", "image/png")
                    .put("size", 10));
    Message m =
        MessageRepository.newMessage(
            "cccccccccccccccccccccccc", 5, ME, "client-1", "hi", attachments, "2:abc", AT);

    JsonObject doc = MessageRepository.document(m);

    assertThat(doc.fieldNames())
        .containsExactly(
            "_id",
            "conversationId",
            "seq",
            "senderId",
            "clientId",
            "text",
            "attachments",
            "contentHash",
            "createdAt",
            "updatedAt",
            "version",
            "editedAt",
            "deletedAt",
            "edits",
            "deliveredTo",
            "readBy");
    assertThat(doc.getValue("editedAt")).isNull();
    assertThat(doc.getValue("deletedAt")).isNull();
    assertThat(doc.getJsonObject("createdAt").getLong("$date")).isEqualTo(AT.toEpochMilli());
    assertThat(MessageRepository.fromDocument(doc)).isEqualTo(m);
    assertThat(m.uploadIds()).containsExactly("dddddddddddddddddddddddd");
  }

  @Test
  void editedAndDeletedMessageReadsBackTheSame() {
    Message m =
        new Message(
            "eeeeeeeeeeeeeeeeeeeeeeee",
            "cccccccccccccccccccccccc",
            5,
            ME,
            "client-1",
            null,
            new JsonArray(),
            "2:abc",
            AT,
            LATER,
            3L,
            LATER,
            LATER,
            List.of(new Edit("first", LATER), new Edit(null, LATER)),
            List.of(OTHER),
            List.of(OTHER),
            List.of("dddddddddddddddddddddddd"));

    JsonObject doc = MessageRepository.document(m);

    assertThat(doc.getJsonArray("edits").getJsonObject(0).getJsonObject("at").getLong("$date"))
        .isEqualTo(LATER.toEpochMilli());
    assertThat(doc.getJsonArray("removedAttachments")).containsExactly("dddddddddddddddddddddddd");
    assertThat(MessageRepository.fromDocument(doc)).isEqualTo(m);
    assertThat(m.deleted()).isTrue();
  }

  @Test
  void datesReadBackFromEpochMillisAsWellAsText() {
    Message m =
        MessageRepository.fromDocument(
            new JsonObject()
                .put("_id", "eeeeeeeeeeeeeeeeeeeeeeee")
                .put("createdAt", new JsonObject().put("$date", AT.toEpochMilli())));

    assertThat(m.createdAt()).isEqualTo(AT);
    assertThat(m.attachments()).isEmpty();
    assertThat(m.edits()).isEmpty();
    assertThat(m.version()).isEqualTo(1L);
    assertThat(m.deleted()).isFalse();
  }
}
