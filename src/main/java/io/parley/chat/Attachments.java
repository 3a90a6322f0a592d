package io.parley.chat;

import io.parley.bus.Addresses;
import io.parley.bus.BusClient;
import io.parley.bus.ChatApi.SendMessage;
import io.parley.bus.UploadsApi.DiscardUploads;
import io.parley.bus.UploadsApi.ResolveAttachments;
import io.parley.bus.UploadsApi.UploadIds;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.util.List;

/**
 * A message's attachments, resolved by the uploads verticle (which owns uploads): the sender's own
 * ready uploads of the same conversation, as the summaries the message stores.
 */
final class Attachments {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Attachments.class);

  private final BusClient bus;

  Attachments(BusClient bus) {
    this.bus = bus;
  }

  /** {@code [{uploadId, filename, contentType, size}]}; empty without attachmentIds. */
  Future<JsonArray> resolve(SendMessage s) {
    if (s.attachmentIds().isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    // the uploads verticle's coded refusal (400 attachment_…) goes to the client as it is
    return bus.request(
            Addresses.UPLOADS_RESOLVE,
            new ResolveAttachments(s.caller().userId(), s.conversationId(), s.attachmentIds())
                .toJson())
        .map(reply -> reply.getJsonArray("attachments"));
  }

  /**
   * Tells the uploads verticle the message's attachments went out in it, once it is stored (best
   * effort: a sweep checks).
   */
  void sent(Message message) {
    if (message.attachments().isEmpty()) {
      return;
    }
    bus.request(Addresses.UPLOADS_SENT, new UploadIds(message.uploadIds()).toJson())
        .onFailure(err -> LOG.debug("marking uploads as sent failed: {}", err.getMessage()));
  }

  /** The owner's uploads that no message carries any more: unreadable, bytes deleted. */
  Future<Void> discard(String ownerId, List<String> uploadIds) {
    if (uploadIds.isEmpty()) {
      return Future.succeededFuture();
    }
    return bus.request(Addresses.UPLOADS_DISCARD, new DiscardUploads(ownerId, uploadIds).toJson())
        .mapEmpty();
  }
}
