package io.parley.chat;

import io.parley.bus.ApiError;
import io.parley.bus.ApiException;
import io.parley.bus.ChatApi.ConversationRef;
import io.parley.bus.ChatApi.EditMessage;
import io.parley.bus.ChatApi.History;
import io.parley.bus.ChatApi.MarkReceipt;
import io.parley.bus.ChatApi.MessageRef;
import io.parley.bus.ChatApi.SendMessage;
import io.parley.bus.Failure;
import io.parley.bus.UploadsApi.AttachmentAccess;
import io.parley.bus.UploadsApi.UploadIds;
import io.parley.metrics.ParleyMetrics;
import io.parley.ratelimit.RateLimiter;
import io.parley.ratelimit.RateLimiter.Limit;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sending (idempotent, gap-free seq), history, edits, deletion, receipts and typing. */
final class MessageService {
  private static final Logger LOG = LoggerFactory.getLogger(MessageService.class);

  static final int MAX_TEXT = 4000;
  static final int MAX_CLIENT_ID = 64;
  static final int MAX_PAGE = 100;

  /** A send that loses the race for a seq this many times in a row gives up (503, retry). */
  static final int MAX_SEQ_ATTEMPTS = 16;

  /** Conversations whose highest stored seq this verticle knows (a hint, so bounded). */
  private static final int SEQ_HINTS = 10_000;

  private final Vertx vertx;
  private final ConversationService conversationService;
  private final ConversationRepository conversations;
  private final MessageRepository messages;
  private final Attachments attachments;
  private final EventPublisher events;
  private final RateLimiter limiter;
  private final Limit typing = new Limit("typing", 10, Duration.ofSeconds(10));
  private final Clock clock;

  /** The highest seq this verticle stored or saw stored, per conversation; event-loop confined. */
  private final Map<String, Long> seqs =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > SEQ_HINTS;
        }
      };

  /** The last insert started per conversation, which the next one waits for. */
  private final Map<String, Future<Void>> turns = new HashMap<>();

  MessageService(
      Vertx vertx,
      ConversationService conversationService,
      ConversationRepository conversations,
      MessageRepository messages,
      Attachments attachments,
      EventPublisher events,
      RateLimiter limiter,
      Clock clock) {
    this.vertx = vertx;
    this.conversationService = conversationService;
    this.conversations = conversations;
    this.messages = messages;
    this.attachments = attachments;
    this.events = events;
    this.limiter = limiter;
    this.clock = clock;
  }

  // --- send ---------------------------------------------------------------------------------

  /**
   * A send in three database round trips: the conversation (membership, members, the seq hint), the
   * message insert, the conversation's activity. The message's unique indexes do the rest:
   *
   * <ul>
   *   <li>{@code (conversationId, seq)}: a message takes the seq after the highest one stored, and
   *       only an insert consumes it. Seq never has holes, not even when a node dies mid-send (it
   *       consumed nothing), and seq order is commit order. Two writers that pick the same seq
   *       collide; the loser learns the highest stored seq and takes the next.
   *   <li>{@code (senderId, clientId)}: a retry collides with the first attempt's message, which is
   *       the answer (200), or a 409 when the clientId now names other content. No claim, no wait.
   * </ul>
   *
   * Within one verticle, inserts into one conversation take turns (the others of the conversation
   * wait only for the insert, not the whole send), so they do not collide with each other.
   */
  Future<JsonObject> send(SendMessage s) {
    String sender = s.caller().userId();
    String clientId = s.clientId() == null ? "" : s.clientId();
    if (clientId.isEmpty()
        || clientId.length() > MAX_CLIENT_ID
        || clientId.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.invalid(
          "clientId", "clientId must be 1 to " + MAX_CLIENT_ID + " printable characters");
    }
    String text = s.text() == null ? "" : s.text();
    if (text.codePointCount(0, text.length()) > MAX_TEXT) {
      throw textTooLong();
    }
    if (text.isBlank() && s.attachmentIds().isEmpty()) {
      throw new ApiException(
          Failure.BAD_REQUEST, "empty_message", "A message needs text or attachments");
    }
    String hash = contentHash(s.conversationId(), text, s.attachmentIds());
    return conversations
        .findForSend(s.conversationId(), sender)
        .compose(
            conv -> {
              if (conv == null) {
                return Future.failedFuture(ConversationService.notFound());
              }
              // attachments are checked before the insert: a refused one stores nothing
              return attachments
                  .resolve(s)
                  .compose(
                      att ->
                          inTurn(
                              s.conversationId(),
                              () -> insert(s, clientId, text, hash, att, conv, 0)))
                  .compose(
                      stored ->
                          stored.created()
                              ? published(stored.message(), conv, sender)
                                  .map(
                                      v ->
                                          new JsonObject()
                                              .put("message", Views.message(stored.message()))
                                              .put("created", true))
                              : repeat(
                                  stored.message(),
                                  conv,
                                  s.conversationId(),
                                  hash,
                                  text,
                                  s.attachmentIds()));
            });
  }

  /** The stored message, and whether this call stored it (false: a retry found the first one). */
  private record Stored(Message message, boolean created) {}

  private Future<Stored> insert(
      SendMessage s,
      String clientId,
      String text,
      String hash,
      JsonArray attachments,
      Conversation conv,
      int attempt) {
    String sender = s.caller().userId();
    String conversationId = s.conversationId();
    long seq = Math.max(conv.lastSeq(), seqs.getOrDefault(conversationId, 0L)) + 1;
    Message m =
        MessageRepository.newMessage(
            conversationId,
            seq,
            sender,
            clientId,
            text.isEmpty() ? null : text,
            attachments,
            hash,
            clock.instant());
    return messages
        .insert(m)
        .compose(
            stored -> {
              if (stored) {
                seqs.put(conversationId, seq);
                return Future.succeededFuture(new Stored(m, true));
              }
              // a unique index refused it: a retry of this send, or another writer took the seq
              return messages
                  .findByClientId(sender, clientId)
                  .compose(
                      existing -> {
                        if (existing != null) {
                          return Future.succeededFuture(new Stored(existing, false));
                        }
                        if (attempt >= MAX_SEQ_ATTEMPTS) {
                          return Future.failedFuture(busy());
                        }
                        // another writer stored this seq: continue after the highest one stored
                        return messages
                            .lastSeq(conversationId)
                            .compose(
                                latest -> {
                                  seqs.put(conversationId, latest);
                                  return insert(
                                      s, clientId, text, hash, attachments, conv, attempt + 1);
                                });
                      });
            });
  }

  /**
   * Tells the members (right after the commit, so that live delivery does not wait for the next
   * round trip), then records the conversation's activity before the sender gets the answer.
   */
  private Future<Void> published(Message message, Conversation conv, String sender) {
    long seq = message.seq();
    Instant at = message.createdAt();
    events.messageCreated(conv.members(), Views.message(message), at);
    ParleyMetrics.of(vertx).messageStored();
    attachments.sent(message);
    return conversations
        .recordSent(message.conversationId(), sender, seq, at)
        .onFailure(
            err ->
                LOG.warn(
                    "seq {} of conversation {} is stored; recording the activity failed: {}",
                    seq,
                    message.conversationId(),
                    err.getMessage()));
  }

  /**
   * The same send again: the original message, or 409 if the clientId now names other content. If
   * the first attempt stored the message but did not get to record it (the conversation's lastSeq
   * is behind it), this one finishes the job, event included (hubs drop the repeat).
   */
  private Future<JsonObject> repeat(
      Message existing,
      Conversation conv,
      String conversationId,
      String hash,
      String text,
      List<String> ids) {
    if (!conversationId.equals(existing.conversationId())
        || !sameContent(existing.contentHash(), hash, conversationId, text, ids)) {
      return Future.failedFuture(clientIdReused(existing.id()));
    }
    JsonObject reply =
        new JsonObject().put("message", Views.message(existing)).put("created", false);
    if (existing.seq() <= conv.lastSeq()) {
      return Future.succeededFuture(reply);
    }
    return published(existing, conv, existing.senderId()).map(reply);
  }

  /**
   * Runs {@code insert} after the inserts into the same conversation that this verticle started
   * before it (they would only collide on the same seq otherwise).
   */
  private <T> Future<T> inTurn(String conversationId, Supplier<Future<T>> insert) {
    Future<Void> before = turns.getOrDefault(conversationId, Future.succeededFuture());
    Promise<Void> mine = Promise.promise();
    turns.put(conversationId, mine.future());
    return before.transform(
        ignored -> {
          Future<T> f;
          try {
            f = insert.get();
          } catch (RuntimeException e) {
            f = Future.failedFuture(e);
          }
          return f.onComplete(
              ar -> {
                mine.complete();
                if (turns.get(conversationId) == mine.future()) {
                  turns.remove(conversationId);
                }
              });
        });
  }

  private static ApiException textTooLong() {
    return ApiException.invalid(
        "text", "text_too_long", "text must be at most " + MAX_TEXT + " characters");
  }

  private static ApiException busy() {
    return new ApiException(
        ApiError.of(
                Failure.UNAVAILABLE,
                "conversation_busy",
                "Too many messages at once in this conversation; retry")
            .withRetryAfter(1));
  }

  // --- read ---------------------------------------------------------------------------------

  Future<JsonObject> history(History h) {
    int limit = h.limit();
    if (limit < 1 || limit > MAX_PAGE) {
      throw ApiException.invalid("limit", "limit must be 1 to " + MAX_PAGE);
    }
    if ((h.beforeSeq() != null && h.beforeSeq() < 1)
        || (h.afterSeq() != null && h.afterSeq() < 0)) {
      throw ApiException.invalid("seq", "beforeSeq must be at least 1 and afterSeq at least 0");
    }
    return conversationService
        .member(h.conversationId(), h.caller().userId())
        .compose(c -> messages.page(h.conversationId(), h.beforeSeq(), h.afterSeq(), limit + 1))
        .map(
            docs -> {
              boolean more = docs.size() > limit;
              boolean oldestFirst = h.afterSeq() != null && h.beforeSeq() == null;
              // one extra was fetched beyond the page: drop it from the far end
              List<Message> page =
                  !more
                      ? docs
                      : oldestFirst ? docs.subList(0, limit) : docs.subList(1, docs.size());
              JsonArray out = new JsonArray();
              page.forEach(d -> out.add(Views.message(d)));
              return new JsonObject().put("messages", out).put("hasMore", more);
            });
  }

  // --- edit and delete ----------------------------------------------------------------------

  Future<JsonObject> edit(EditMessage e) {
    String text = e.text() == null ? "" : e.text();
    if (text.isBlank()) {
      throw ApiException.invalid("text", "text must not be empty");
    }
    if (text.codePointCount(0, text.length()) > MAX_TEXT) {
      throw textTooLong();
    }
    return ownMessage(e.caller().userId(), e.messageId())
        .compose(
            mc -> {
              Message m = mc.message();
              if (m.deleted()) {
                return Future.failedFuture(
                    new ApiException(Failure.GONE, "message_deleted", "The message was deleted"));
              }
              Instant now = clock.instant();
              return messages
                  .edit(m, text, now)
                  .compose(
                      d -> {
                        if (d == null) {
                          return Future.failedFuture(
                              new ApiException(
                                  Failure.CONFLICT,
                                  "edit_conflict",
                                  "The message changed meanwhile; retry"));
                        }
                        JsonObject view = Views.message(d);
                        events.messageUpdated(mc.members(), view, d.version(), now);
                        return Future.succeededFuture(new JsonObject().put("message", view));
                      });
            });
  }

  /**
   * Deletes for everyone. The attachments go with the message: members can no longer read them, and
   * the uploads no other message carries are discarded (bytes deleted). A repeated delete finishes
   * a discard that failed the first time.
   */
  Future<JsonObject> delete(MessageRef r) {
    return ownMessage(r.caller().userId(), r.messageId())
        .compose(
            mc -> {
              Message m = mc.message();
              String conversationId = m.conversationId();
              if (m.deleted()) {
                return discardUnused(r.caller().userId(), conversationId, m.removedAttachments())
                    .map(new JsonObject());
              }
              List<String> uploads = m.uploadIds();
              Instant now = clock.instant();
              return messages
                  .tombstone(m.id(), uploads, now)
                  .compose(
                      d -> {
                        if (d != null) {
                          events.messageUpdated(mc.members(), Views.message(d), d.version(), now);
                        }
                        return discardUnused(r.caller().userId(), conversationId, uploads);
                      })
                  .map(new JsonObject());
            });
  }

  /** Discards those of the sender's uploads that no message (of any conversation) carries now. */
  private Future<Void> discardUnused(String ownerId, String conversationId, List<String> uploads) {
    if (uploads.isEmpty()) {
      return Future.succeededFuture();
    }
    return messages
        .carried(uploads)
        .compose(
            stillCarried ->
                attachments.discard(
                    ownerId, uploads.stream().filter(u -> !stillCarried.contains(u)).toList()));
  }

  /** For the uploads verticle: may the caller read this attachment of the conversation? */
  Future<JsonObject> attachmentAccess(AttachmentAccess a) {
    return conversationService
        .member(a.conversationId(), a.caller().userId())
        .compose(c -> messages.carries(a.conversationId(), a.uploadId()))
        .compose(
            yes ->
                yes
                    ? Future.succeededFuture(new JsonObject())
                    : Future.failedFuture(
                        new ApiException(Failure.NOT_FOUND, "upload_not_found", "No such upload")));
  }

  /** For the uploads verticle's sweep: which of these uploads messages carry. */
  Future<JsonObject> referenced(UploadIds ids) {
    if (ids.uploadIds().isEmpty()) {
      return Future.succeededFuture(new UploadIds(List.of()).toJson());
    }
    return messages
        .carried(ids.uploadIds())
        .map(found -> new UploadIds(List.copyOf(found)).toJson());
  }

  private record MessageInConversation(Message message, List<String> members) {}

  /** A message of a conversation the caller belongs to, sent by the caller. */
  private Future<MessageInConversation> ownMessage(String userId, String messageId) {
    return messages
        .findById(messageId)
        .compose(
            m -> {
              if (m == null) {
                return Future.failedFuture(messageNotFound());
              }
              return conversations
                  .findForMember(m.conversationId(), userId)
                  .compose(
                      c -> {
                        if (c == null) {
                          return Future.failedFuture(messageNotFound());
                        }
                        if (!userId.equals(m.senderId())) {
                          return Future.failedFuture(
                              new ApiException(
                                  Failure.FORBIDDEN,
                                  "not_sender",
                                  "Only the sender can change a message"));
                        }
                        return Future.succeededFuture(new MessageInConversation(m, c.members()));
                      });
            });
  }

  // --- receipts and typing ------------------------------------------------------------------

  Future<JsonObject> receipt(MarkReceipt r) {
    String me = r.caller().userId();
    if (!"delivered".equals(r.type()) && !"read".equals(r.type())) {
      throw ApiException.invalid("type", "type must be delivered or read");
    }
    if (r.upToSeq() < 1) {
      throw ApiException.invalid("upToSeq", "upToSeq must be at least 1");
    }
    return conversationService
        .member(r.conversationId(), me)
        .compose(c -> storedUpTo(c, r.upToSeq()).compose(upTo -> advance(r, me, c, upTo)));
  }

  /**
   * How far a receipt may go: {@code upToSeq}, but never past the highest message stored. The
   * conversation's {@code lastSeq} is enough when it is ahead; when it is behind, the message may
   * be stored without its activity recorded yet (members get its event right after the commit,
   * before {@code recordSent}), so the messages say.
   */
  private Future<Long> storedUpTo(Conversation c, long upToSeq) {
    if (upToSeq <= c.lastSeq()) {
      return Future.succeededFuture(upToSeq);
    }
    return messages.lastSeq(c.id()).map(stored -> Math.min(upToSeq, Math.max(stored, c.lastSeq())));
  }

  /** Moves the caller's marker to {@code upTo} (never backwards) and tells the members. */
  private Future<JsonObject> advance(MarkReceipt r, String me, Conversation c, long upTo) {
    if (upTo <= c.marker(r.type(), me)) {
      return Future.succeededFuture(new JsonObject());
    }
    Instant now = clock.instant();
    return conversations
        .advanceMarker(r.conversationId(), me, r.type(), upTo, now)
        .compose(
            before -> {
              if (before == null) {
                return Future.failedFuture(ConversationService.notFound());
              }
              long old = before.marker(r.type(), me);
              if (upTo <= old) {
                return Future.succeededFuture(new JsonObject());
              }
              return messages
                  .markReceipts(r.conversationId(), me, r.type(), old, upTo)
                  .map(
                      v -> {
                        events.receipt(
                            before.members(), r.conversationId(), me, r.type(), upTo, now);
                        return new JsonObject();
                      });
            });
  }

  Future<JsonObject> typing(ConversationRef r) {
    String me = r.caller().userId();
    return conversationService
        .member(r.conversationId(), me)
        .compose(
            c ->
                limiter
                    .require(typing, me + ":" + r.conversationId(), "Too many typing notifications")
                    .map(
                        v -> {
                          List<String> others =
                              c.members().stream().filter(id -> !id.equals(me)).toList();
                          events.typing(others, r.conversationId(), me);
                          return new JsonObject();
                        }));
  }

  // --- helpers ------------------------------------------------------------------------------

  /**
   * What decides whether a resent clientId names the same message: SHA-256 over the conversation,
   * the text and the attachment ids, each preceded by its length, so that no part can pass for
   * another (message text may hold any character, NUL included). Prefixed with its version.
   */
  static String contentHash(String conversationId, String text, List<String> attachmentIds) {
    MessageDigest md = sha256();
    lengthPrefixed(md, conversationId);
    lengthPrefixed(md, text);
    for (String a : attachmentIds) {
      lengthPrefixed(md, a);
    }
    return HASH_V2 + HexFormat.of().formatHex(md.digest());
  }

  /**
   * The hash of messages stored before {@link #contentHash} had a version: parts separated by NUL,
   * which a NUL in the text could imitate. Only compared with such messages.
   */
  static String legacyContentHash(String conversationId, String text, List<String> attachmentIds) {
    MessageDigest md = sha256();
    md.update(conversationId.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
    md.update(text.getBytes(StandardCharsets.UTF_8));
    for (String a : attachmentIds) {
      md.update((byte) 0);
      md.update(a.getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static final String HASH_V2 = "2:";

  private static void lengthPrefixed(MessageDigest md, String part) {
    byte[] b = part.getBytes(StandardCharsets.UTF_8);
    md.update(java.nio.ByteBuffer.allocate(4).putInt(b.length).array());
    md.update(b);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a stored message's hash says it has this content ({@code hash}, from {@link
   * #contentHash}), whichever version made the stored one.
   */
  static boolean sameContent(
      String stored, String hash, String conversationId, String text, List<String> attachmentIds) {
    if (stored == null) {
      return false;
    }
    return stored.startsWith(HASH_V2)
        ? stored.equals(hash)
        : stored.equals(legacyContentHash(conversationId, text, attachmentIds));
  }

  private static ApiException clientIdReused(String messageId) {
    ApiError err =
        ApiError.of(
            Failure.CONFLICT,
            "client_id_reused",
            "This clientId was already used for a different message");
    return new ApiException(
        messageId == null ? err : err.withDetails(new JsonObject().put("messageId", messageId)));
  }

  private static ApiException messageNotFound() {
    return new ApiException(Failure.NOT_FOUND, "message_not_found", "No such message");
  }
}
