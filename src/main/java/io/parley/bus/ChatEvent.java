package io.parley.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A real-time event on its way to SSE streams, published once per event on {@link
 * Addresses#EVENTS}. {@code frame} is the complete, already encoded SSE frame ({@code id:}, {@code
 * event:}, {@code data:}), written as is to every recipient's stream; nobody may modify it.
 *
 * @param id stable event id (also the SSE {@code id:}, see {@link EventIds}); empty for ephemeral
 *     events
 * @param type event name, e.g. {@code message.created}
 * @param conversationId the conversation it belongs to, or empty
 * @param recipients user ids whose streams receive it
 * @param frame the encoded SSE frame
 */
public record ChatEvent(
    String id, String type, String conversationId, List<String> recipients, Buffer frame) {
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");

  /** Encodes the frame once; every stream then writes the same bytes. */
  public static ChatEvent of(
      String id, String type, String conversationId, List<String> recipients, JsonObject data) {
    return new ChatEvent(
        id == null ? "" : id,
        type,
        conversationId == null ? "" : conversationId,
        List.copyOf(recipients),
        frame(id, type, data.encode()));
  }

  /** One SSE frame; {@code id} may be null or empty (ephemeral events). */
  public static Buffer frame(String id, String event, String data) {
    StringBuilder sb = new StringBuilder(data.length() + 96);
    if (id != null && !id.isEmpty()) {
      sb.append("id: ").append(id).append('\n');
    }
    sb.append("event: ").append(event).append('\n');
    if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) {
      // encoded JSON never contains a raw line break: one data: line, no regex
      sb.append("data: ").append(data).append('\n');
    } else {
      // other data is split into data: lines as SSE requires
      for (String line : LINE_BREAK.split(data, -1)) {
        sb.append("data: ").append(line).append('\n');
      }
    }
    sb.append('\n');
    return Buffer.buffer(sb.toString().getBytes(StandardCharsets.UTF_8));
  }
}
