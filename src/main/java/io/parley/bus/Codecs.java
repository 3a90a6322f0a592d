package io.parley.bus;

import io.vertx.core.Vertx;

/** Registers the bus's codecs. The node bootstrap calls this once per Vert.x instance. */
public final class Codecs {
  private Codecs() {}

  public static void register(Vertx vertx) {
    vertx.eventBus().registerDefaultCodec(ChatEvent.class, new ChatEventCodec());
  }
}
