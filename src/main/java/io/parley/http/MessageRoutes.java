package io.parley.http;

import static io.parley.http.RequestBody.string;

import io.parley.bus.Addresses;
import io.parley.bus.BusClient;
import io.parley.bus.ChatApi.EditMessage;
import io.parley.bus.ChatApi.MessageRef;
import io.parley.http.RequestBody.Schema;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code /api/messages/{id}}: edit (sender only) and delete for everyone. */
final class MessageRoutes {
  static final Schema EDIT = Schema.object(Map.of("text", string(1, 8000)), "text");

  private final BusClient bus;

  MessageRoutes(BusClient bus) {
    this.bus = bus;
  }

  void mount(Router router, TokenAuth auth) {
    router.patch("/api/messages/:id").handler(auth).handler(this::edit);
    router.delete("/api/messages/:id").handler(auth).handler(this::delete);
  }

  private void edit(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, EDIT);
    if (b == null) {
      return;
    }
    bus.request(
            Addresses.MESSAGES_EDIT,
            new EditMessage(Requests.caller(rc), rc.pathParam("id"), b.getString("text")).toJson())
        .onSuccess(r -> Responses.json(rc, 200, r))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void delete(RoutingContext rc) {
    bus.request(
            Addresses.MESSAGES_DELETE,
            new MessageRef(Requests.caller(rc), rc.pathParam("id")).toJson())
        .onSuccess(r -> Responses.noContent(rc))
        .onFailure(err -> Responses.failure(rc, err));
  }
}
