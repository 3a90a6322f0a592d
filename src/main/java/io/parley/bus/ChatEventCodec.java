package io.parley.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Wire codec for {@link ChatEvent}. Local delivery hands every handler the same immutable instance
 * (no copy per handler): fan-out to N local consumers costs no allocation.
 */
public final class ChatEventCodec implements MessageCodec<ChatEvent, ChatEvent> {
  public static final String NAME = "parley.chat-event";

  @Override
  public void encodeToWire(Buffer buffer, ChatEvent e) {
    writeString(buffer, e.id());
    writeString(buffer, e.type());
    writeString(buffer, e.conversationId());
    buffer.appendInt(e.recipients().size());
    for (String r : e.recipients()) {
      writeString(buffer, r);
    }
    buffer.appendInt(e.frame().length());
    buffer.appendBuffer(e.frame());
  }

  @Override
  public ChatEvent decodeFromWire(int pos, Buffer buffer) {
    int[] p = {pos};
    String id = readString(buffer, p);
    String type = readString(buffer, p);
    String conversationId = readString(buffer, p);
    int n = buffer.getInt(p[0]);
    p[0] += 4;
    List<String> recipients = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      recipients.add(readString(buffer, p));
    }
    int len = buffer.getInt(p[0]);
    p[0] += 4;
    Buffer frame = buffer.getBuffer(p[0], p[0] + len);
    return new ChatEvent(id, type, conversationId, List.copyOf(recipients), frame);
  }

  @Override
  public ChatEvent transform(ChatEvent e) {
    return e;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }

  private static void writeString(Buffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendInt(bytes.length);
    b.appendBytes(bytes);
  }

  private static String readString(Buffer b, int[] p) {
    int len = b.getInt(p[0]);
    p[0] += 4;
    String s = b.getString(p[0], p[0] + len, "UTF-8");
    p[0] += len;
    return s;
  }
}
