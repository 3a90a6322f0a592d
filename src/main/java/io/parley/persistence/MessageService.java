package io.parley.persistence;

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
import io.parley.mongo.MongoSupport;
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
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sending (idempotent, gap-free seq), history, edits, deletion, receipts and typing. */
final class MessageService {
  private static final Logger LOG = LoggerFactory.getLogger(MessageService.class);

  static final int MAX_TEXT = 4000;
  static final int MAX_CLIENT_ID = 64;
  static final int MAX_PAGE = 100;

  /** How long a retry waits for the first attempt of the same send to finish. */
  static final Duration WAIT_FOR_FIRST = Duration.ofSeconds(5);

  /** A claim older than this without a message was abandoned (its node died mid-send). */
  static final Duration ABANDONED_AFTER = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final ConversationService conversationService;
  private final ConversationRepository conversations;
  private final MessageRepository messages;
  private final SendClaimRepository claims;
  private final EventPublisher events;
  private final RateLimiter limiter;
  private final Limit typing = new Limit("typing", 10, Duration.ofSeconds(10));
  private final Clock clock;

  MessageService(
      Vertx vertx,
      ConversationService conversationService,
      ConversationRepository conversations,
      MessageRepository messages,
      SendClaimRepository claims,
      EventPublisher events,
      RateLimiter limiter,
      Clock clock) {
    this.vertx = vertx;
    this.conversationService = conversationService;
    this.conversations = conversations;
    this.messages = messages;
    this.claims = claims;
    this.events = events;
    this.limiter = limiter;
    this.clock = clock;
  }

  // --- send ---------------------------------------------------------------------------------

  Future<JsonObject> send(SendMessage s) {
    String sender = s.caller().userId();
    String clientId = s.clientId() == null ? "" : s.clientId();
    if (clientId.isEmpty()
        || clientId.length() > MAX_CLIENT_ID
        || clientId.chars().anyMatch(Character::isISOControl)) {
      throw ConversationService.invalid(
          "clientId", "clientId must be 1 to " + MAX_CLIENT_ID + " printable characters");
    }
    String text = s.text() == null ? "" : s.text();
    if (text.codePointCount(0, text.length()) > MAX_TEXT) {
      throw new ApiException(
          ApiError.of(
                  Failure.BAD_REQUEST,
                  "text_too_long",
                  "text must be at most " + MAX_TEXT + " characters")
              .withDetails(new JsonObject().put("field", "text")));
    }
    if (text.isBlank() && s.attachmentIds().isEmpty()) {
      throw new ApiException(
          Failure.BAD_REQUEST, "empty_message", "A message needs text or attachments");
    }
    if (!MongoSupport.isId(s.conversationId())) {
      return Future.failedFuture(ConversationService.notFound());
    }
    String hash = contentHash(s.conversationId(), text, s.attachmentIds());
    return messages
        .findByClientId(sender, clientId)
        .compose(
            existing ->
                existing != null
                    ? Future.succeededFuture(repeat(existing, s.conversationId(), hash))
                    : claimAndSend(s, clientId, text, hash));
  }

  /** The same send again: the original message, or 409 if the clientId now names other content. */
  private JsonObject repeat(JsonObject existing, String conversationId, String hash) {
    if (!conversationId.equals(existing.getString("conversationId"))
        || !hash.equals(existing.getString("contentHash"))) {
      throw clientIdReused(existing.getString("_id"));
    }
    return new JsonObject().put("message", Views.message(existing)).put("created", false);
  }

  private Future<JsonObject> claimAndSend(
      SendMessage s, String clientId, String text, String hash) {
    String sender = s.caller().userId();
    Instant now = clock.instant();
    return claims
        .claim(sender, clientId, s.conversationId(), hash, now)
        .compose(
            won -> {
              if (won) {
                return store(s, clientId, text, hash);
              }
              return claims
                  .find(sender, clientId)
                  .compose(
                      claim -> {
                        if (claim == null) {
                          // released by a failed first attempt: try again from the start
                          return send(s);
                        }
                        if (!hash.equals(claim.getString("contentHash"))
                            || !s.conversationId().equals(claim.getString("conversationId"))) {
                          return Future.failedFuture(clientIdReused(null));
                        }
                        return awaitFirstAttempt(s, clientId, hash, claim);
                      });
            });
  }

  /** Another request holds the claim: wait for its message, or take over an abandoned claim. */
  private Future<JsonObject> awaitFirstAttempt(
      SendMessage s, String clientId, String hash, JsonObject claim) {
    String sender = s.caller().userId();
    long deadline = System.currentTimeMillis() + WAIT_FOR_FIRST.toMillis();
    Promise<JsonObject> result = Promise.promise();
    pollForMessage(sender, clientId, s.conversationId(), hash, deadline, 10, result);
    return result
        .future()
        .compose(
            found -> {
              if (found != null) {
                return Future.succeededFuture(found);
              }
              Instant claimedAt = MongoSupport.instant(claim, "createdAt");
              Instant now = clock.instant();
              if (claimedAt != null && claimedAt.isBefore(now.minus(ABANDONED_AFTER))) {
                return claims
                    .takeOver(sender, clientId, now.minus(ABANDONED_AFTER), now)
                    .compose(
                        took ->
                            took
                                ? store(s, clientId, s.text() == null ? "" : s.text(), hash)
                                : send(s));
              }
              return Future.failedFuture(
                  new ApiException(
                      ApiError.of(
                              Failure.UNAVAILABLE,
                              "send_in_progress",
                              "The same message is still being sent; retry")
                          .withDetails(new JsonObject().put("retryAfterSeconds", 1))));
            });
  }

  private void pollForMessage(
      String sender,
      String clientId,
      String conv,
      String hash,
      long deadline,
      long delayMs,
      Promise<JsonObject> out) {
    messages
        .findByClientId(sender, clientId)
        .onFailure(out::fail)
        .onSuccess(
            m -> {
              if (m != null) {
                try {
                  out.complete(repeat(m, conv, hash));
                } catch (ApiException e) {
                  out.fail(e);
                }
              } else if (System.currentTimeMillis() >= deadline) {
                out.complete(null);
              } else {
                vertx.setTimer(
                    delayMs,
                    t ->
                        pollForMessage(
                            sender,
                            clientId,
                            conv,
                            hash,
                            deadline,
                            Math.min(delayMs * 2, 200),
                            out));
              }
            });
  }

  /** Holding the claim: take the next seq, store the message, then tell the members. */
  private Future<JsonObject> store(SendMessage s, String clientId, String text, String hash) {
    String sender = s.caller().userId();
    // attachments are checked before a seq is taken: a refused one leaves no gap and no message
    return Attachments.resolve(vertx, s)
        .recover(
            err -> claims.release(sender, clientId).transform(ignored -> Future.failedFuture(err)))
        .compose(attachments -> store(s, clientId, text, hash, attachments));
  }

  private Future<JsonObject> store(
      SendMessage s, String clientId, String text, String hash, JsonArray attachments) {
    String sender = s.caller().userId();
    return conversations
        .allocateSeq(s.conversationId(), sender)
        .compose(
            conv -> {
              if (conv == null) {
                return claims
                    .release(sender, clientId)
                    .transform(ignored -> Future.failedFuture(ConversationService.notFound()));
              }
              long seq = conv.getLong("lastSeq");
              Instant at = clock.instant();
              JsonObject date = MongoSupport.date(at);
              JsonObject doc =
                  new JsonObject()
                      .put("_id", MongoSupport.newId())
                      .put("conversationId", s.conversationId())
                      .put("seq", seq)
                      .put("senderId", sender)
                      .put("clientId", clientId)
                      .put("text", text.isEmpty() ? null : text)
                      .put("attachments", attachments)
                      .put("contentHash", hash)
                      .put("createdAt", date)
                      .put("updatedAt", date)
                      .put("version", 1L)
                      .putNull("editedAt")
                      .putNull("deletedAt")
                      .put("edits", new JsonArray())
                      .put("deliveredTo", new JsonArray())
                      .put("readBy", new JsonArray());
              List<String> members = EventPublisher.strings(conv.getJsonArray("members"));
              return messages
                  .insert(doc)
                  .onSuccess(stored -> io.parley.metrics.ParleyMetrics.of(vertx).messageStored())
                  .onFailure(
                      err ->
                          LOG.error(
                              "storing seq {} of conversation {} failed after it was allocated: {}",
                              seq,
                              s.conversationId(),
                              err.getMessage()))
                  .compose(
                      d -> conversations.recordSent(s.conversationId(), sender, seq, at).map(d))
                  .map(
                      d -> {
                        JsonObject view = Views.message(d);
                        events.messageCreated(members, view, at);
                        Attachments.sent(vertx, attachments);
                        return new JsonObject().put("message", view).put("created", true);
                      });
            });
  }

  // --- read ---------------------------------------------------------------------------------

  Future<JsonObject> history(History h) {
    int limit = h.limit();
    if (limit < 1 || limit > MAX_PAGE) {
      throw ConversationService.invalid("limit", "limit must be 1 to " + MAX_PAGE);
    }
    if ((h.beforeSeq() != null && h.beforeSeq() < 1)
        || (h.afterSeq() != null && h.afterSeq() < 0)) {
      throw ConversationService.invalid(
          "seq", "beforeSeq must be at least 1 and afterSeq at least 0");
    }
    return conversationService
        .member(h.conversationId(), h.caller().userId())
        .compose(c -> messages.page(h.conversationId(), h.beforeSeq(), h.afterSeq(), limit + 1))
        .map(
            docs -> {
              boolean more = docs.size() > limit;
              boolean oldestFirst = h.afterSeq() != null && h.beforeSeq() == null;
              // one extra was fetched beyond the page: drop it from the far end
              List<JsonObject> page =
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
      throw ConversationService.invalid("text", "text must not be empty");
    }
    if (text.codePointCount(0, text.length()) > MAX_TEXT) {
      throw new ApiException(
          ApiError.of(
                  Failure.BAD_REQUEST,
                  "text_too_long",
                  "text must be at most " + MAX_TEXT + " characters")
              .withDetails(new JsonObject().put("field", "text")));
    }
    return ownMessage(e.caller().userId(), e.messageId())
        .compose(
            mc -> {
              JsonObject m = mc.message();
              if (m.getValue("deletedAt") != null) {
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
                        events.messageUpdated(mc.members(), view, d.getLong("version"), now);
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
              JsonObject m = mc.message();
              String conversationId = m.getString("conversationId");
              if (m.getValue("deletedAt") != null) {
                return discardUnused(
                        r.caller().userId(),
                        conversationId,
                        EventPublisher.strings(m.getJsonArray("removedAttachments")))
                    .map(new JsonObject());
              }
              List<String> uploads =
                  Attachments.uploadIds(m.getJsonArray("attachments", new JsonArray()));
              Instant now = clock.instant();
              return messages
                  .tombstone(m.getString("_id"), uploads, now)
                  .compose(
                      d -> {
                        if (d != null) {
                          events.messageUpdated(
                              mc.members(), Views.message(d), d.getLong("version"), now);
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
                Attachments.discard(
                    vertx,
                    ownerId,
                    uploads.stream().filter(u -> !stillCarried.contains(u)).toList()));
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

  private record MessageInConversation(JsonObject message, List<String> members) {}

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
                  .findForMember(m.getString("conversationId"), userId)
                  .compose(
                      c -> {
                        if (c == null) {
                          return Future.failedFuture(messageNotFound());
                        }
                        if (!userId.equals(m.getString("senderId"))) {
                          return Future.failedFuture(
                              new ApiException(
                                  Failure.FORBIDDEN,
                                  "not_sender",
                                  "Only the sender can change a message"));
                        }
                        return Future.succeededFuture(
                            new MessageInConversation(
                                m, EventPublisher.strings(c.getJsonArray("members"))));
                      });
            });
  }

  // --- receipts and typing ------------------------------------------------------------------

  Future<JsonObject> receipt(MarkReceipt r) {
    String me = r.caller().userId();
    if (!"delivered".equals(r.type()) && !"read".equals(r.type())) {
      throw ConversationService.invalid("type", "type must be delivered or read");
    }
    if (r.upToSeq() < 1) {
      throw ConversationService.invalid("upToSeq", "upToSeq must be at least 1");
    }
    return conversationService
        .member(r.conversationId(), me)
        .compose(
            c -> {
              // receipts cover only messages that exist; they never go backwards
              long upTo = Math.min(r.upToSeq(), c.getLong("lastSeq", 0L));
              String markers = "read".equals(r.type()) ? "readMarkers" : "deliveredMarkers";
              long current = c.getJsonObject(markers, new JsonObject()).getLong(me, 0L);
              if (upTo <= current) {
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
                        long old = before.getJsonObject(markers, new JsonObject()).getLong(me, 0L);
                        if (upTo <= old) {
                          return Future.succeededFuture(new JsonObject());
                        }
                        return messages
                            .markReceipts(r.conversationId(), me, r.type(), old, upTo)
                            .map(
                                v -> {
                                  events.receipt(
                                      EventPublisher.strings(before.getJsonArray("members")),
                                      r.conversationId(),
                                      me,
                                      r.type(),
                                      upTo,
                                      now);
                                  return new JsonObject();
                                });
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
                    .consume(typing, me + ":" + r.conversationId())
                    .compose(
                        d -> {
                          if (!d.allowed()) {
                            return Future.failedFuture(
                                new ApiException(
                                    ApiError.of(
                                            Failure.RATE_LIMITED,
                                            "rate_limited",
                                            "Too many typing notifications")
                                        .withDetails(
                                            new JsonObject()
                                                .put("retryAfterSeconds", d.retryAfterSeconds()))));
                          }
                          List<String> others =
                              EventPublisher.strings(c.getJsonArray("members")).stream()
                                  .filter(id -> !id.equals(me))
                                  .toList();
                          events.typing(others, r.conversationId(), me);
                          return Future.succeededFuture(new JsonObject());
                        }));
  }

  // --- helpers ------------------------------------------------------------------------------

  static String contentHash(String conversationId, String text, List<String> attachmentIds) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(conversationId.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(text.getBytes(StandardCharsets.UTF_8));
      for (String a : attachmentIds) {
        md.update((byte) 0);
        md.update(a.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
