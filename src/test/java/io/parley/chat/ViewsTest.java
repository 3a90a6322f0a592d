package io.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.mongo.MongoSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ViewsTest {
  private static final String ME = "aaaaaaaaaaaaaaaaaaaaaaaa";
  private static final String OTHER = "bbbbbbbbbbbbbbbbbbbbbbbb";
  private static final Instant CREATED = Instant.parse("2026-12-03T12:00:00.123Z");

  @Test
  void messageShowsItsIdAsIdAndDatesAsIsoText() {
    JsonObject view =
        Views.message(
            message(
                new JsonObject()
                    .put("_id", "m1")
                    .put("conversationId", "c1")
                    .put("seq", 5L)
                    .put("senderId", ME)
                    .put("clientId", "client-1")
                    .put("text", "hello")
                    .put("createdAt", MongoSupport.date(CREATED))
                    .put(
                        "editedAt", new JsonObject().put("$date", CREATED.toEpochMilli() + 1000))));

    assertThat(view.getString("id")).isEqualTo("m1");
    assertThat(view.containsKey("_id")).isFalse();
    assertThat(view.getLong("seq")).isEqualTo(5L);
    assertThat(view.getString("createdAt")).isEqualTo("2026-12-03T12:00:00.123Z");
    assertThat(view.getString("editedAt")).isEqualTo("2026-12-03T12:00:01.123Z");
  }

  @Test
  void messageWithoutOptionalFieldsHasEmptyListsAndNullDates() {
    JsonObject view = Views.message(message(new JsonObject().put("_id", "m1")));

    assertThat(view.getJsonArray("attachments")).isEmpty();
    assertThat(view.getJsonArray("deliveredTo")).isEmpty();
    assertThat(view.getJsonArray("readBy")).isEmpty();
    assertThat(view.containsKey("deletedAt")).isTrue();
    assertThat(view.getValue("deletedAt")).isNull();
  }

  @Test
  void messageViewLeavesStoredBookkeepingOut() {
    JsonObject view =
        Views.message(
            message(
                new JsonObject()
                    .put("_id", "m1")
                    .put("contentHash", "abc")
                    .put(
                        "edits",
                        new JsonArray()
                            .add(
                                new JsonObject()
                                    .put("text", "old text")
                                    .put("at", MongoSupport.date(CREATED))))));

    assertThat(view.fieldNames()).doesNotContain("contentHash", "edits");
  }

  @Test
  void conversationViewLeavesPerMemberAndHistoryFieldsOut() {
    Conversation stored =
        ConversationRepository.newConversation(
            "group",
            java.util.List.of(ME, OTHER),
            java.util.List.of(ME),
            "Team",
            ME,
            null,
            CREATED);

    JsonObject view = Views.conversation(stored);

    assertThat(view.getString("id")).isEqualTo(stored.id());
    assertThat(view.getString("createdAt")).isEqualTo(CREATED.toString());
    assertThat(view.getLong("lastSeq")).isZero();
    assertThat(view.fieldNames())
        .doesNotContain("_id", "archivedBy", "removed", "receiptsAt", "version");
  }

  @Test
  void unreadCountIsMessagesAfterTheMembersReadMarker() {
    JsonObject stored =
        conversation().put("lastSeq", 10L).put("readMarkers", new JsonObject().put(ME, 7L));

    assertThat(Views.conversationFor(conversation(stored), ME, null).getLong("unreadCount"))
        .isEqualTo(3L);
  }

  @Test
  void memberWithoutAReadMarkerHasEveryMessageUnread() {
    JsonObject stored =
        conversation().put("lastSeq", 10L).put("readMarkers", new JsonObject().put(OTHER, 10L));

    assertThat(Views.conversationFor(conversation(stored), ME, null).getLong("unreadCount"))
        .isEqualTo(10L);
  }

  @Test
  void readMarkerAheadOfLastSeqShowsNothingUnread() {
    JsonObject stored =
        conversation().put("lastSeq", 3L).put("readMarkers", new JsonObject().put(ME, 5L));

    assertThat(Views.conversationFor(conversation(stored), ME, null).getLong("unreadCount"))
        .isZero();
  }

  @Test
  void archivedIsTrueOnlyForMembersWhoArchivedIt() {
    JsonObject stored = conversation().put("archivedBy", new JsonArray().add(OTHER));

    assertThat(Views.conversationFor(conversation(stored), OTHER, null).getBoolean("archived"))
        .isTrue();
    assertThat(Views.conversationFor(conversation(stored), ME, null).getBoolean("archived"))
        .isFalse();
  }

  @Test
  void lastMessageIsShownAsAMessageView() {
    JsonObject last = new JsonObject().put("_id", "m9").put("seq", 9L).put("text", "bye");

    JsonObject view = Views.conversationFor(conversation(conversation()), ME, message(last));

    assertThat(view.getJsonObject("lastMessage")).isEqualTo(Views.message(message(last)));
  }

  @Test
  void conversationWithoutMessagesHasNullLastMessage() {
    JsonObject view = Views.conversationFor(conversation(conversation()), ME, null);

    assertThat(view.containsKey("lastMessage")).isTrue();
    assertThat(view.getValue("lastMessage")).isNull();
  }

  /** A stored direct conversation's document. */
  private static JsonObject conversation() {
    return ConversationRepository.document(
        ConversationRepository.newConversation(
            "direct", java.util.List.of(ME, OTHER), java.util.List.of(), null, ME, "k", CREATED));
  }

  private static Conversation conversation(JsonObject stored) {
    return ConversationRepository.fromDocument(stored);
  }

  private static Message message(JsonObject stored) {
    return MessageRepository.fromDocument(stored);
  }
}
