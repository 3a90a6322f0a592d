package io.parley.uploads;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.Caller;
import io.parley.bus.ChatApi.ConversationRef;
import io.parley.bus.Failure;
import io.parley.bus.Ids;
import io.parley.bus.UploadsApi.AttachmentAccess;
import io.parley.bus.UploadsApi.ContentPath;
import io.parley.bus.UploadsApi.ContentTarget;
import io.parley.bus.UploadsApi.CreateUpload;
import io.parley.bus.UploadsApi.DiscardUploads;
import io.parley.bus.UploadsApi.ResolveAttachments;
import io.parley.bus.UploadsApi.UploadIds;
import io.parley.bus.UploadsApi.UploadRef;
import io.parley.config.ParleyConfig.UploadsConfig;
import io.parley.ratelimit.RateLimiter;
import io.parley.ratelimit.RateLimiter.Limit;
import io.parley.security.Secrets;
import io.parley.uploads.blob.BlobStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upload records and their life: create (with a URL to PUT the bytes to), complete (size and type
 * checked, then {@code ready}), download (conversation members only), resolve (for messages), and
 * removal of abandoned uploads.
 */
final class UploadService {
  private static final Logger LOG = LoggerFactory.getLogger(UploadService.class);

  static final int MAX_ATTACHMENTS = 10;
  private static final int CLEANUP_BATCH = 100;

  /** Local-mode upload tokens: 256 random bits. */
  private static final int TOKEN_BYTES = 32;

  private final Vertx vertx;
  private final UploadsConfig cfg;
  private final UploadRepository uploads;
  private final BlobStore store;
  private final RateLimiter limiter;
  private final Limit createLimit;
  private final Clock clock;
  private final DeliveryOptions busOptions = new DeliveryOptions().setSendTimeout(10_000);

  UploadService(
      Vertx vertx,
      UploadsConfig cfg,
      UploadRepository uploads,
      BlobStore store,
      RateLimiter limiter,
      Clock clock) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.uploads = uploads;
    this.store = store;
    this.limiter = limiter;
    this.createLimit = new Limit("upload-create", cfg.createLimitPerHour(), Duration.ofHours(1));
    this.clock = clock;
  }

  // --- create -------------------------------------------------------------------------------

  Future<JsonObject> create(CreateUpload c) {
    String me = c.caller().userId();
    if (!Ids.valid(c.conversationId())) {
      throw conversationNotFound();
    }
    String nameProblem = FileNames.problem(c.filename());
    if (nameProblem != null) {
      throw ApiException.invalid("filename", "invalid_filename", nameProblem);
    }
    String type = ContentTypes.allowed(c.contentType());
    if (type == null) {
      throw new ApiException(
          ApiError.of(
                  Failure.UNSUPPORTED_MEDIA_TYPE,
                  "unsupported_type",
                  "Attachments may be "
                      + String.join(", ", ContentTypes.ALLOWED.stream().sorted().toList()))
              .withDetails(new JsonObject().put("field", "contentType")));
    }
    if (c.size() < 1) {
      throw ApiException.invalid("size", "size must be at least 1 byte");
    }
    if (c.size() > cfg.maxFileSize()) {
      throw new ApiException(
          ApiError.of(
                  Failure.PAYLOAD_TOO_LARGE,
                  "file_too_large",
                  "Attachments may be at most " + cfg.maxFileSize() + " bytes")
              .withDetails(new JsonObject().put("maxFileSize", cfg.maxFileSize())));
    }
    return limiter
        .require(createLimit, me, "Too many uploads started; try again later")
        .compose(v -> requireMember(c.caller(), c.conversationId()))
        .compose(v -> insert(c, me, type));
  }

  private Future<JsonObject> insert(CreateUpload c, String me, String type) {
    Instant now = clock.instant();
    String id = uploads.newId();
    String storageKey = id + "-" + Secrets.randomHex(16);
    String incomingKey = storageKey + ".incoming";
    Instant expiresAt = now.plus(store.servesBytes() ? cfg.localTokenTtl() : cfg.urlExpiry());
    String token = store.servesBytes() ? Secrets.random(TOKEN_BYTES) : null;
    Upload upload =
        new Upload(
            id,
            me,
            c.conversationId(),
            store.kind(),
            storageKey,
            incomingKey,
            c.filename(),
            type,
            c.size(),
            Upload.PENDING,
            now,
            expiresAt,
            token == null ? null : Secrets.sha256(token),
            null,
            null,
            null);
    return uploads
        .insert(upload)
        .compose(
            v ->
                store
                    .uploadUrl(
                        new BlobStore.Incoming(
                            id, incomingKey, type, c.size(), token, c.baseUrl(), expiresAt))
                    .recover(
                        err -> uploads.delete(id).transform(ignored -> Future.failedFuture(err))))
        .map(
            url ->
                new JsonObject()
                    .put("uploadId", id)
                    .put("method", url.method())
                    .put("url", url.url())
                    .put("headers", new JsonObject(new HashMap<String, Object>(url.headers())))
                    .put("expiresAt", expiresAt.toString()));
  }

  // --- local bytes --------------------------------------------------------------------------

  /** Local mode: checks a PUT's upload token and names the file its body goes to. */
  Future<JsonObject> contentTarget(ContentTarget t) {
    if (!store.servesBytes()) {
      throw new ApiException(
          Failure.NOT_FOUND, "not_found", "Uploads go to the URL given when they were created");
    }
    if (!Ids.valid(t.uploadId())) {
      throw uploadNotFound();
    }
    return uploads
        .findById(t.uploadId())
        .compose(
            u -> {
              if (u == null) {
                return Future.failedFuture(uploadNotFound());
              }
              if (u.ready()) {
                return Future.failedFuture(
                    new ApiException(
                        Failure.CONFLICT,
                        "upload_already_complete",
                        "This upload is complete; start a new one"));
              }
              String given = t.token() == null ? "" : t.token();
              if (!Secrets.matches(given, u.tokenHash())) {
                return Future.failedFuture(
                    new ApiException(
                        Failure.FORBIDDEN,
                        "invalid_upload_token",
                        "The upload token is not valid"));
              }
              Instant expires = u.expiresAt();
              if (expires == null || !clock.instant().isBefore(expires)) {
                return Future.failedFuture(
                    new ApiException(
                        Failure.FORBIDDEN,
                        "upload_token_expired",
                        "The upload URL has expired; start a new upload"));
              }
              return Future.succeededFuture(
                  new ContentPath(store.localPath(u.incomingKey()), u.size(), u.contentType())
                      .toJson());
            });
  }

  // --- complete -----------------------------------------------------------------------------

  Future<JsonObject> complete(UploadRef r) {
    return owned(r)
        .compose(
            u -> {
              if (u.ready()) {
                return Future.succeededFuture(completed(u));
              }
              String incoming = u.incomingKey();
              String key = u.storageKey();
              return store
                  .size(incoming)
                  .compose(
                      n -> {
                        if (n != null) {
                          return store.promote(incoming, key).map(true);
                        }
                        // a completion that died after the move left the bytes under the key
                        return store.size(key).map(k -> k != null);
                      })
                  .compose(present -> present ? verify(u) : Future.failedFuture(missingContent(u)));
            });
  }

  private ApiException missingContent(Upload u) {
    Instant expires = u.expiresAt();
    if (expires != null && !clock.instant().isBefore(expires)) {
      return new ApiException(
          Failure.GONE, "upload_expired", "The upload URL expired before the bytes arrived");
    }
    return new ApiException(
        Failure.CONFLICT, "content_missing", "Send the bytes to the upload URL first");
  }

  /** Size and type of the moved bytes; a failed check removes the bytes and the record. */
  private Future<JsonObject> verify(Upload u) {
    String key = u.storageKey();
    long declared = u.size();
    String type = u.contentType();
    return store
        .size(key)
        .compose(
            actual -> {
              if (actual == null || actual != declared) {
                return reject(
                    u,
                    ApiError.of(
                            Failure.BAD_REQUEST,
                            "size_mismatch",
                            "The stored file has "
                                + actual
                                + " bytes; "
                                + declared
                                + " were declared")
                        .withDetails(
                            new JsonObject().put("size", actual).put("declared", declared)));
              }
              int sample = (int) Math.min(actual, ContentTypes.SNIFF_BYTES);
              return store
                  .firstBytes(key, sample)
                  .compose(
                      head -> {
                        String found = ContentTypes.sniff(head.getBytes(), actual <= sample);
                        if (!type.equals(found)) {
                          return reject(
                              u,
                              ApiError.of(
                                      Failure.UNSUPPORTED_MEDIA_TYPE,
                                      "type_mismatch",
                                      "The file's content is not " + type)
                                  .withDetails(new JsonObject().put("declared", type)));
                        }
                        return uploads
                            .markReady(u.id(), clock.instant())
                            .compose(
                                done ->
                                    done != null
                                        ? Future.succeededFuture(completed(done))
                                        : uploads
                                            .findById(u.id())
                                            .compose(
                                                again ->
                                                    again == null
                                                        ? Future.failedFuture(uploadNotFound())
                                                        : Future.succeededFuture(
                                                            completed(again))));
                      });
            });
  }

  private Future<JsonObject> reject(Upload u, ApiError error) {
    LOG.info("upload {} refused: {}", u.id(), error.code());
    return Future.join(
            store.delete(u.storageKey()), store.delete(u.incomingKey()), uploads.delete(u.id()))
        .transform(ignored -> Future.failedFuture(new ApiException(error)));
  }

  // --- download -----------------------------------------------------------------------------

  /**
   * Who may read an upload: its uploader, until a deletion discards it; anyone else only while a
   * message that is not deleted carries it in a conversation they belong to (asked of the
   * persistence verticle, which owns messages). An upload that was never sent is its uploader's
   * alone, whoever guesses its id. Everything else is 404, exactly as an unknown id.
   */
  Future<JsonObject> download(UploadRef r) {
    if (!Ids.valid(r.uploadId())) {
      throw uploadNotFound();
    }
    String me = r.caller().userId();
    return uploads
        .findById(r.uploadId())
        .compose(
            u -> {
              if (u == null || u.discarded()) {
                return Future.failedFuture(uploadNotFound());
              }
              boolean mine = me.equals(u.owner());
              boolean ready = u.ready();
              if (mine) {
                return ready
                    ? Future.succeededFuture(u)
                    : Future.failedFuture(
                        new ApiException(
                            Failure.CONFLICT,
                            "upload_not_ready",
                            "The upload is not complete yet"));
              }
              if (!ready) {
                return Future.failedFuture(uploadNotFound());
              }
              return requireCarried(r.caller(), u.conversationId(), r.uploadId()).map(u);
            })
        .compose(
            u ->
                store
                    .download(
                        u.storageKey(),
                        u.filename(),
                        ContentTypes.servedAs(u.contentType(), u.filename()),
                        u.size(),
                        cfg.urlExpiry())
                    .map(d -> d.toJson()));
  }

  /** Messages carry these uploads now: they are kept by the unsent-upload sweep. */
  Future<JsonObject> sent(UploadIds ids) {
    List<String> valid = ids.uploadIds().stream().filter(Ids::valid).toList();
    if (valid.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    return uploads.markSent(valid, clock.instant()).map(new JsonObject());
  }

  /**
   * The owner's uploads whose message was deleted for everyone: unreadable from this moment (their
   * record says discarded), then their bytes and record are removed. A removal that fails is
   * retried by the clean-up.
   */
  Future<JsonObject> discard(DiscardUploads d) {
    List<String> valid = d.uploadIds().stream().filter(Ids::valid).toList();
    if (valid.isEmpty()) {
      return Future.succeededFuture(new JsonObject());
    }
    return uploads
        .markDiscarded(d.ownerId(), valid, clock.instant())
        .onSuccess(marked -> marked.forEach(this::removeDiscarded))
        .map(new JsonObject());
  }

  private Future<Boolean> removeDiscarded(Upload u) {
    return Future.join(store.delete(u.storageKey()), store.delete(u.incomingKey()))
        .compose(v -> uploads.delete(u.id()))
        .map(true)
        .otherwise(
            err -> {
              LOG.warn(
                  "removing discarded upload {} failed (retried later): {}",
                  u.id(),
                  err.getMessage());
              return false;
            });
  }

  // --- resolve (for messages) ---------------------------------------------------------------

  /** The sender's own ready uploads of the conversation, in the order asked, as summaries. */
  Future<JsonObject> resolve(ResolveAttachments a) {
    List<String> ids = new ArrayList<>(new LinkedHashSet<>(a.uploadIds()));
    if (ids.size() > MAX_ATTACHMENTS) {
      throw ApiException.invalid(
          "attachmentIds",
          "too_many_attachments",
          "A message has at most " + MAX_ATTACHMENTS + " attachments");
    }
    for (String id : ids) {
      if (!Ids.valid(id)) {
        throw attachmentError("attachment_not_found", "No such upload of yours", id);
      }
    }
    return uploads
        .findByIds(ids)
        .map(
            found -> {
              Map<String, Upload> byId = new HashMap<>();
              found.forEach(u -> byId.put(u.id(), u));
              JsonArray out = new JsonArray();
              for (String id : ids) {
                Upload u = byId.get(id);
                if (u == null || !a.userId().equals(u.owner())) {
                  throw attachmentError("attachment_not_found", "No such upload of yours", id);
                }
                if (!a.conversationId().equals(u.conversationId())) {
                  throw attachmentError(
                      "attachment_wrong_conversation",
                      "The upload belongs to another conversation",
                      id);
                }
                if (!u.ready()) {
                  throw attachmentError(
                      "attachment_not_ready", "The upload is not complete yet", id);
                }
                out.add(attachment(u));
              }
              return new JsonObject().put("attachments", out);
            });
  }

  private static ApiException attachmentError(String code, String message, String uploadId) {
    return new ApiException(
        ApiError.of(Failure.BAD_REQUEST, code, message)
            .withDetails(new JsonObject().put("field", "attachmentIds").put("uploadId", uploadId)));
  }

  // --- housekeeping -------------------------------------------------------------------------

  /** Removes pending uploads older than the configured age whose URL expired: bytes, record. */
  Future<Integer> cleanUp() {
    Instant now = clock.instant();
    // a file untouched for longer than any pending upload can live belongs to no pending upload
    Duration leftover =
        cfg.pendingMaxAge().compareTo(cfg.localTokenTtl()) > 0
            ? cfg.pendingMaxAge()
            : cfg.localTokenTtl();
    Future<Integer> swept =
        store
            .sweep(now.minus(leftover))
            .onSuccess(
                n -> {
                  if (n > 0) {
                    LOG.info("removed {} left-over partial upload files", n);
                  }
                });
    return swept
        .otherwiseEmpty()
        .compose(ignored -> removeAbandoned(now))
        .compose(n -> removeUnsent(now).map(m -> n + m))
        .compose(n -> retryDiscarded().map(m -> n + m));
  }

  /**
   * Ready uploads older than {@code uploads.unsentMaxAge} that no stored message is known to carry:
   * those the persistence verticle confirms no message carries are removed; the others are noted as
   * sent (their notification was lost).
   */
  private Future<Integer> removeUnsent(Instant now) {
    return uploads
        .findUnsent(now.minus(cfg.unsentMaxAge()), CLEANUP_BATCH)
        .compose(
            unsent -> {
              if (unsent.isEmpty()) {
                return Future.succeededFuture(0);
              }
              List<String> ids = unsent.stream().map(Upload::id).toList();
              return ask(Addresses.ATTACHMENTS_REFERENCED, new UploadIds(ids).toJson())
                  .compose(
                      reply -> {
                        List<String> carried = UploadIds.fromJson(reply).uploadIds();
                        List<Future<Boolean>> removed = new ArrayList<>();
                        for (Upload u : unsent) {
                          if (!carried.contains(u.id())) {
                            removed.add(
                                uploads
                                    .markDiscarded(u.owner(), List.of(u.id()), now)
                                    .compose(
                                        marked ->
                                            marked.isEmpty()
                                                ? Future.succeededFuture(false)
                                                : removeDiscarded(marked.get(0))));
                          }
                        }
                        Future<Void> noted =
                            carried.isEmpty()
                                ? Future.succeededFuture()
                                : uploads.markSent(carried, now);
                        return noted.compose(v -> count(removed));
                      });
            });
  }

  private Future<Integer> retryDiscarded() {
    return uploads
        .findDiscarded(CLEANUP_BATCH)
        .compose(
            discarded -> {
              List<Future<Boolean>> removed = new ArrayList<>();
              discarded.forEach(u -> removed.add(removeDiscarded(u)));
              return count(removed);
            });
  }

  private static Future<Integer> count(List<Future<Boolean>> removed) {
    return Future.join(removed)
        .transform(
            ar -> {
              int n = 0;
              for (Future<Boolean> f : removed) {
                if (f.succeeded() && f.result()) {
                  n++;
                }
              }
              return Future.succeededFuture(n);
            });
  }

  private Future<Integer> removeAbandoned(Instant now) {
    return uploads
        .findAbandoned(now.minus(cfg.pendingMaxAge()), now, CLEANUP_BATCH)
        .compose(
            abandoned -> {
              List<Future<Boolean>> removed = new ArrayList<>();
              for (Upload u : abandoned) {
                removed.add(
                    uploads
                        .deleteIfPending(u.id())
                        .compose(
                            gone ->
                                gone
                                    ? Future.join(
                                            store.delete(u.incomingKey()),
                                            store.delete(u.storageKey()))
                                        .map(true)
                                    : Future.succeededFuture(false)));
              }
              return count(removed);
            });
  }

  // --- helpers ------------------------------------------------------------------------------

  /** An upload of the caller's; another user's, or an unknown id, is 404. */
  private Future<Upload> owned(UploadRef r) {
    if (!Ids.valid(r.uploadId())) {
      return Future.failedFuture(uploadNotFound());
    }
    return uploads
        .findById(r.uploadId())
        .compose(
            u ->
                u == null || !r.caller().userId().equals(u.owner())
                    ? Future.failedFuture(uploadNotFound())
                    : Future.succeededFuture(u));
  }

  /** Asks the persistence verticle (owner of conversations) whether the caller is a member. */
  private Future<Void> requireMember(Caller caller, String conversationId) {
    return ask(
            Addresses.CONVERSATIONS_MEMBERSHIP,
            new ConversationRef(caller, conversationId).toJson())
        .mapEmpty();
  }

  /** Asks the persistence verticle whether a live message the caller may see carries the upload. */
  private Future<Void> requireCarried(Caller caller, String conversationId, String uploadId) {
    return ask(
            Addresses.ATTACHMENTS_ACCESS,
            new AttachmentAccess(caller, conversationId, uploadId).toJson())
        .recover(
            err -> Future.failedFuture(ApiError.from(err).status() == 404 ? uploadNotFound() : err))
        .mapEmpty();
  }

  private Future<JsonObject> ask(String address, JsonObject body) {
    return vertx
        .eventBus()
        .<JsonObject>request(address, body, busOptions)
        .map(m -> m.body())
        .recover(err -> Future.failedFuture(new ApiException(ApiError.from(err))));
  }

  /** The reply of a completion: {@code {upload: {id, …, createdAt, readyAt}}}, dates ISO-8601. */
  static JsonObject completed(Upload u) {
    return new JsonObject()
        .put(
            "upload",
            new JsonObject()
                .put("id", u.id())
                .put("conversationId", u.conversationId())
                .put("filename", u.filename())
                .put("contentType", u.contentType())
                .put("size", u.size())
                .put("status", u.status())
                .put("createdAt", Objects.toString(u.createdAt(), null))
                .put("readyAt", Objects.toString(u.readyAt(), null)));
  }

  /** A message's summary of an upload it carries. */
  static JsonObject attachment(Upload u) {
    return new JsonObject()
        .put("uploadId", u.id())
        .put("filename", u.filename())
        .put("contentType", u.contentType())
        .put("size", u.size());
  }

  static ApiException uploadNotFound() {
    return new ApiException(Failure.NOT_FOUND, "upload_not_found", "No such upload");
  }

  static ApiException conversationNotFound() {
    return new ApiException(Failure.NOT_FOUND, "conversation_not_found", "No such conversation");
  }
}
