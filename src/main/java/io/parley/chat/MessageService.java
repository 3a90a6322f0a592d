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
import io.parley.mongo.BlockingMongo;
import io.parley.ratelimit.RateLimiter;
import io.parley.ratelimit.RateLimiter.Limit;
import io.vertx.core.Future;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
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
  private final BlockingMongo db;

  /** The highest seq this verticle stored or saw stored, per conversation; guarded by itself. */
  private final Map<String, Long> seqs =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > SEQ_HINTS;
        }
      };

  /** Inserts into one conversation take turns: the lock of its stripe (by the id's hash). */
  private final ReentrantLock[] turns = new ReentrantLock[64];

  MessageService(
      Vertx vertx,
      ConversationService conversationService,
      ConversationRepository conversations,
      MessageRepository messages,
      Attachments attachments,
      EventPublisher events,
      RateLimiter limiter,
      Clock clock,
      BlockingMongo db) {
    this.vertx = vertx;
    this.conversationService = conversationService;
    this.conversations = conversations;
    this.messages = messages;
    this.attachments = attachments;
    this.events = events;
    this.limiter = limiter;
    this.clock = clock;
    this.db = db;
    for (int i = 0; i < turns.length; i++) {
      turns[i] = new ReentrantLock();
    }
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
   * The three calls run in a row on one worker thread ({@link BlockingMongo}): one hand-off there
   * and one back, instead of two or three per call with the asynchronous client. A send with
   * attachments has them checked by the uploads verticle between the membership check and the
   * insert (a refused one stores nothing), so it hands off twice. Within one verticle, inserts into
   * one conversation take turns (the rest of the send runs alongside), so they do not collide with
   * each other. The members are told once the worker is done: after the activity is recorded, so a
   * client that sees the event also finds the conversation's {@code lastSeq} at or past it.
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
    if (s.attachmentIds().isEmpty()) {
      return db.run(() -> store(s, clientId, text, hash, new JsonArray(), member(s, sender)))
          .compose(this::told);
    }
    return db.run(() -> member(s, sender))
        .compose(
            conv ->
                attachments
                    .resolve(s)
                    .compose(att -> db.run(() -> store(s, clientId, text, hash, att, conv))))
        .compose(this::told);
  }

  /** The conversation as a send needs it; 404 when the sender is not a member. Blocks. */
  private Conversation member(SendMessage s, String sender) {
    Conversation conv = conversations.findForSend(s.conversationId(), sender);
    if (conv == null) {
      throw ConversationService.notFound();
    }
    return conv;
  }

  /** The stored message, and whether this call stored it (false: a retry found the first one). */
  private record Stored(Message message, boolean created) {}

  /**
   * What a send's worker hands back: the reply; the message to tell the members about (null when
   * there is nothing to tell) and who they are; and why recording the activity failed, if it did.
   */
  private record Outcome(
      JsonObject reply, Message toTell, List<String> members, RuntimeException recordFailure) {}

  /** Stores the message (or finds the first attempt's) and records the activity. Blocks. */
  private Outcome store(
      SendMessage s,
      String clientId,
      String text,
      String hash,
      JsonArray attachments,
      Conversation conv) {
    Stored stored = insert(s, clientId, text, hash, attachments, conv);
    Message m = stored.message();
    if (!stored.created()) {
      return repeat(m, conv, s.conversationId(), hash, text, s.attachmentIds());
    }
    return recorded(
        m, conv, new JsonObject().put("message", Views.message(m)).put("created", true));
  }

  /**
   * Takes the next seq and inserts, in turn with this verticle's other inserts into the
   * conversation. Blocks.
   */
  private Stored insert(
      SendMessage s,
      String clientId,
      String text,
      String hash,
      JsonArray attachments,
      Conversation conv) {
    String sender = s.caller().userId();
    String conversationId = s.conversationId();
    ReentrantLock turn = turns[Math.floorMod(conversationId.hashCode(), turns.length)];
    turn.lock();
    try {
      for (int attempt = 0; ; attempt++) {
        long seq = Math.max(conv.lastSeq(), seqHint(conversationId)) + 1;
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
        if (messages.insert(m)) {
          seqHint(conversationId, seq);
          return new Stored(m, true);
        }
        // a unique index refused it: a retry of this send, or another writer took the seq
        Message existing = messages.findByClientId(sender, clientId);
        if (existing != null) {
          return new Stored(existing, false);
        }
        if (attempt >= MAX_SEQ_ATTEMPTS) {
          throw busy();
        }
        // another writer stored this seq: continue after the highest one stored
        seqHint(conversationId, messages.lastSeqNow(conversationId));
      }
    } finally {
      turn.unlock();
    }
  }

  /**
   * Records the conversation's activity for a stored message (its {@code lastSeq}, activity time,
   * the sender's markers); a failure is handed back, not thrown: the message is committed and its
   * members are told either way. Blocks.
   */
  private Outcome recorded(Message message, Conversation conv, JsonObject reply) {
    try {
      conversations.recordSent(
          message.conversationId(), message.senderId(), message.seq(), message.createdAt());
      return new Outcome(reply, message, conv.members(), null);
    } catch (RuntimeException e) {
      return new Outcome(reply, message, conv.members(), e);
    }
  }

  /**
   * Back on the event loop: tells the members about a stored message, then answers (or fails when
   * its activity could not be recorded: the client retries, and the retry finishes the job).
   */
  private Future<JsonObject> told(Outcome o) {
    Message m = o.toTell();
    if (m != null) {
      events.messageCreated(o.members(), Views.message(m), m.createdAt());
      ParleyMetrics.of(vertx).messageStored();
      attachments.sent(m);
    }
    if (o.recordFailure() != null) {
      LOG.warn(
          "seq {} of conversation {} is stored; recording the activity failed: {}",
          m.seq(),
          m.conversationId(),
          o.recordFailure().getMessage());
      return Future.failedFuture(o.recordFailure());
    }
    return Future.succeededFuture(o.reply());
  }

  /**
   * The same send again: the original message, or 409 if the clientId now names other content. If
   * the first attempt stored the message but did not get to record it (the conversation's lastSeq
   * is behind it), this one finishes the job, event included (hubs drop the repeat). Blocks.
   */
  private Outcome repeat(
      Message existing,
      Conversation conv,
      String conversationId,
      String hash,
      String text,
      List<String> ids) {
    if (!conversationId.equals(existing.conversationId())
        || !sameContent(existing.contentHash(), hash, conversationId, text, ids)) {
      throw clientIdReused(existing.id());
    }
    JsonObject reply =
        new JsonObject().put("message", Views.message(existing)).put("created", false);
    if (existing.seq() <= conv.lastSeq()) {
      return new Outcome(reply, null, List.of(), null);
    }
    return recorded(existing, conv, reply);
  }

  /** The highest seq this verticle stored or saw stored in the conversation (0: none known). */
  private long seqHint(String conversationId) {
    synchronized (seqs) {
      return seqs.getOrDefault(conversationId, 0L);
    }
  }

  private void seqHint(String conversationId, long seq) {
    synchronized (seqs) {
      seqs.put(conversationId, seq);
    }
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
   * be stored without its activity recorded yet (a send between its insert and {@code recordSent},
   * or one whose {@code recordSent} failed), so the messages say.
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
