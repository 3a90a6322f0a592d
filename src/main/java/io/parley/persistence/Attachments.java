package io.parley.persistence;

import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.ApiException;
import io.parley.bus.ChatApi.SendMessage;
import io.parley.bus.UploadsApi.ResolveAttachments;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A message's attachments, resolved by the uploads verticle (which owns uploads): the sender's own
 * ready uploads of the same conversation, as the summaries the message stores.
 */
final class Attachments {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(10_000);

  private Attachments() {}

  /** {@code [{uploadId, filename, contentType, size}]}; empty without attachmentIds. */
  static Future<JsonArray> resolve(Vertx vertx, SendMessage s) {
    if (s.attachmentIds().isEmpty()) {
      return Future.succeededFuture(new JsonArray());
    }
    return vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.UPLOADS_RESOLVE,
            new ResolveAttachments(s.caller().userId(), s.conversationId(), s.attachmentIds())
                .toJson(),
            OPTIONS)
        .map(reply -> reply.body().getJsonArray("attachments"))
        // the uploads verticle's coded refusal (400 attachment_…) goes to the client as it is
        .recover(err -> Future.failedFuture(new ApiException(ApiError.from(err))));
  }
}
