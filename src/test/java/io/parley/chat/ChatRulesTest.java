package io.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parley.bus.ApiError;
import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.Caller;
import io.parley.bus.ChatApi.CreateConversation;
import io.parley.bus.ChatApi.EditMessage;
import io.parley.bus.ChatApi.History;
import io.parley.bus.ChatApi.ListConversations;
import io.parley.bus.ChatApi.MarkReceipt;
import io.parley.bus.ChatApi.SendMessage;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The chat rules a request must pass before anything is read or stored: each refusal here happens
 * without a database (the services are built without one, so a rule that let a request through
 * would fail differently).
 */
class ChatRulesTest {
  private static final String CONV = "cccccccccccccccccccccccc";
  private static final String OTHER = "bbbbbbbbbbbbbbbbbbbbbbbb";
  private static final Caller ME = new Caller("aaaaaaaaaaaaaaaaaaaaaaaa", "s1");

  private final ConversationService conversations =
      new ConversationService(null, null, null, null, null, 10, Clock.systemUTC());
  private final MessageService messages =
      new MessageService(null, conversations, null, null, null, null, null, Clock.systemUTC());

  @Test
  void clientIdMustBePresentShortAndPrintable() {
    for (String clientId : List.of("", "x".repeat(MessageService.MAX_CLIENT_ID + 1), "a\u0007b")) {
      ApiError err = refused(() -> messages.send(send(clientId, "hi")));

      assertThat(err.status()).isEqualTo(400);
      assertThat(err.code()).isEqualTo("validation_failed");
      assertThat(err.message()).contains("clientId");
    }
  }

  @Test
  void textIsCountedInCodePointsUpToTheLimit() {
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    ApiError err =
        refused(() -> messages.send(send("c1", emoji.repeat(MessageService.MAX_TEXT + 1))));

    assertThat(err.code()).isEqualTo("text_too_long");
    assertThat(err.status()).isEqualTo(400);
  }

  @Test
  void aMessageNeedsTextOrAttachments() {
    ApiError err = refused(() -> messages.send(send("c1", "  \n ")));

    assertThat(err.code()).isEqualTo("empty_message");
  }

  @Test
  void anEditNeedsTextWithinTheLimit() {
    assertThat(refused(() -> messages.edit(new EditMessage(ME, OTHER, " "))).code())
        .isEqualTo("validation_failed");
    assertThat(
            refused(
                    () ->
                        messages.edit(
                            new EditMessage(ME, OTHER, "x".repeat(MessageService.MAX_TEXT + 1))))
                .code())
        .isEqualTo("text_too_long");
  }

  @Test
  void historyPagesAreBoundedAndSeqsPositive() {
    assertThat(refused(() -> messages.history(new History(ME, CONV, null, null, 0))).message())
        .contains("limit");
    assertThat(refused(() -> messages.history(new History(ME, CONV, null, null, 101))).message())
        .contains("limit");
    assertThat(refused(() -> messages.history(new History(ME, CONV, 0L, null, 10))).message())
        .contains("beforeSeq");
    assertThat(refused(() -> messages.history(new History(ME, CONV, null, -1L, 10))).message())
        .contains("afterSeq");
  }

  @Test
  void receiptsAreDeliveredOrReadUpToAPositiveSeq() {
    assertThat(refused(() -> messages.receipt(new MarkReceipt(ME, CONV, "seen", 3))).message())
        .contains("type");
    assertThat(refused(() -> messages.receipt(new MarkReceipt(ME, CONV, "read", 0))).message())
        .contains("upToSeq");
  }

  @Test
  void conversationMembersMustBeUserIds() {
    ApiError err =
        refused(
            () ->
                conversations.create(
                    new CreateConversation(ME, "group", List.of(OTHER, "not-an-id"), "T")));

    assertThat(err.code()).isEqualTo("validation_failed");
    assertThat(err.message()).contains("memberIds");
  }

  @Test
  void aDirectConversationHasOneOtherMemberAndNoTitle() {
    assertThat(
            refused(
                    () ->
                        conversations.create(
                            new CreateConversation(ME, "direct", List.of(ME.userId()), null)))
                .message())
        .contains("exactly one other member");
    assertThat(
            refused(
                    () ->
                        conversations.create(
                            new CreateConversation(ME, "direct", List.of(OTHER), "Title")))
                .message())
        .contains("no title");
    assertThat(
            refused(
                    () ->
                        conversations.create(
                            new CreateConversation(ME, "channel", List.of(OTHER), null)))
                .message())
        .contains("type");
  }

  @Test
  void groupTitlesAreVisibleTextOfAtMostTheLimit() {
    for (String title :
        List.of("x".repeat(ConversationService.MAX_TITLE + 1), "a\u202Eb", "   ", "\u200B")) {
      ApiError err =
          refused(
              () ->
                  conversations.create(new CreateConversation(ME, "group", List.of(OTHER), title)));

      assertThat(err.message()).as(title).contains("title");
    }
  }

  @Test
  void listPagesAreBoundedAndCursorsMustBeOurs() {
    assertThat(
            refused(() -> conversations.list(new ListConversations(ME, false, 0, null))).message())
        .contains("limit");
    ApiError err =
        refused(() -> conversations.list(new ListConversations(ME, false, 10, "bm90LW91cnM")));

    assertThat(err.code()).isEqualTo("invalid_cursor");
    assertThat(err.status()).isEqualTo(400);
  }

  private static SendMessage send(String clientId, String text) {
    return new SendMessage(ME, CONV, clientId, text, List.of());
  }

  private static ApiError refused(Executable call) {
    ApiException e = catchThrowableOfType(call::execute, ApiException.class);
    assertThat(e).as("refused").isNotNull();
    return e.error();
  }
}
