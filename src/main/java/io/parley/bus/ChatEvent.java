package io.parley.bus;

import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * A real-time event on its way to SSE streams, published once per event on {@link
 * Addresses#EVENTS}. {@code frame} is the complete, already encoded SSE frame ({@code id:}, {@code
 * event:}, {@code data:}), written as is to every recipient's stream; nobody may modify it.
 *
 * @param id stable event id (also the SSE {@code id:}); empty for ephemeral events
 * @param type event name, e.g. {@code message.created}
 * @param conversationId the conversation it belongs to, or empty
 * @param recipients user ids whose streams receive it
 * @param frame the encoded SSE frame
 */
public record ChatEvent(
    String id, String type, String conversationId, List<String> recipients, Buffer frame) {}
