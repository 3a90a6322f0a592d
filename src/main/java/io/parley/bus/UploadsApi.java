package io.parley.bus;

import io.parley.bus.AuthApi.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Payloads of the uploads verticle's addresses (see {@link Addresses} and docs/event-bus.md).
 * Replies are the HTTP API's bodies where the HTTP layer passes them on.
 */
public final class UploadsApi {
  private UploadsApi() {}

  /**
   * Header of the local-mode upload token: handed out in the create reply's {@code headers}, read
   * on {@code PUT /api/uploads/{id}/content} (never in the URL, so never in access logs).
   */
  public static final String TOKEN_HEADER = "X-Upload-Token";

  /**
   * {@code parley.uploads.create}.
   *
   * @param baseUrl scheme, host and port clients reach this deployment at (local-mode URLs)
   */
  public record CreateUpload(
      Caller caller,
      String conversationId,
      String filename,
      String contentType,
      long size,
      String baseUrl) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("filename", filename)
          .put("contentType", contentType)
          .put("size", size)
          .put("baseUrl", baseUrl);
    }

    public static CreateUpload fromJson(JsonObject j) {
      return new CreateUpload(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          j.getString("filename"),
          j.getString("contentType"),
          j.getLong("size", -1L),
          j.getString("baseUrl", ""));
    }
  }

  /** A caller acting on one upload: complete, download. */
  public record UploadRef(Caller caller, String uploadId) {
    public JsonObject toJson() {
      return new JsonObject().put("caller", caller.toJson()).put("uploadId", uploadId);
    }

    public static UploadRef fromJson(JsonObject j) {
      return new UploadRef(Caller.fromJson(j.getJsonObject("caller")), j.getString("uploadId"));
    }
  }

  /** {@code parley.uploads.content-target}: a local-mode PUT presenting its upload token. */
  public record ContentTarget(String uploadId, String token) {
    public JsonObject toJson() {
      return new JsonObject().put("uploadId", uploadId).put("token", token);
    }

    public static ContentTarget fromJson(JsonObject j) {
      return new ContentTarget(j.getString("uploadId"), j.getString("token"));
    }
  }

  /** Reply of {@code parley.uploads.content-target}: stream at most {@code size} bytes to path. */
  public record ContentPath(String path, long size, String contentType) {
    public JsonObject toJson() {
      return new JsonObject().put("path", path).put("size", size).put("contentType", contentType);
    }

    public static ContentPath fromJson(JsonObject j) {
      return new ContentPath(j.getString("path"), j.getLong("size"), j.getString("contentType"));
    }
  }

  /**
   * Reply of {@code parley.uploads.download}: either {@code redirect} (a presigned URL) or a local
   * {@code path} with what the response headers need.
   *
   * @param contentDisposition the complete {@code Content-Disposition} value (RFC 6266)
   */
  public record Download(
      String redirect, String path, String contentType, String contentDisposition, long size) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("redirect", redirect)
          .put("path", path)
          .put("contentType", contentType)
          .put("contentDisposition", contentDisposition)
          .put("size", size);
    }

    public static Download fromJson(JsonObject j) {
      return new Download(
          j.getString("redirect"),
          j.getString("path"),
          j.getString("contentType"),
          j.getString("contentDisposition"),
          j.getLong("size", 0L));
    }
  }

  /** {@code parley.uploads.resolve}: the uploads a message by {@code userId} wants to carry. */
  public record ResolveAttachments(String userId, String conversationId, List<String> uploadIds) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("userId", userId)
          .put("conversationId", conversationId)
          .put("uploadIds", new JsonArray(List.copyOf(uploadIds)));
    }

    public static ResolveAttachments fromJson(JsonObject j) {
      return new ResolveAttachments(
          j.getString("userId"), j.getString("conversationId"), ChatApi.strings(j, "uploadIds"));
    }
  }

  /**
   * {@code parley.attachments.access} (persistence): may {@code caller} read {@code uploadId} of
   * {@code conversationId}? Yes when they are a member and a message of the conversation that is
   * not deleted carries it; else 1404.
   */
  public record AttachmentAccess(Caller caller, String conversationId, String uploadId) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("conversationId", conversationId)
          .put("uploadId", uploadId);
    }

    public static AttachmentAccess fromJson(JsonObject j) {
      return new AttachmentAccess(
          Caller.fromJson(j.getJsonObject("caller")),
          j.getString("conversationId"),
          j.getString("uploadId"));
    }
  }

  /**
   * {@code parley.uploads.discard} (uploads): the uploads of {@code ownerId} that no message
   * carries any more (it was deleted for everyone): unreadable at once, bytes deleted.
   */
  public record DiscardUploads(String ownerId, List<String> uploadIds) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("ownerId", ownerId)
          .put("uploadIds", new JsonArray(List.copyOf(uploadIds)));
    }

    public static DiscardUploads fromJson(JsonObject j) {
      return new DiscardUploads(j.getString("ownerId"), ChatApi.strings(j, "uploadIds"));
    }
  }

  /**
   * {@code parley.uploads.sent} (uploads, after a message is stored) and the reply of {@code
   * parley.attachments.referenced} (persistence): upload ids that messages carry.
   */
  public record UploadIds(List<String> uploadIds) {
    public JsonObject toJson() {
      return new JsonObject().put("uploadIds", new JsonArray(List.copyOf(uploadIds)));
    }

    public static UploadIds fromJson(JsonObject j) {
      return new UploadIds(ChatApi.strings(j, "uploadIds"));
    }
  }
}
