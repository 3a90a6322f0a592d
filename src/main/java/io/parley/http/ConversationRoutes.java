package io.parley.http;

import static io.parley.http.RequestBody.string;

import io.parley.bus.Addresses;
import io.parley.bus.BusClient;
import io.parley.bus.ChatApi.AddMembers;
import io.parley.bus.ChatApi.ConversationRef;
import io.parley.bus.ChatApi.CreateConversation;
import io.parley.bus.ChatApi.History;
import io.parley.bus.ChatApi.ListConversations;
import io.parley.bus.ChatApi.MarkReceipt;
import io.parley.bus.ChatApi.RemoveMember;
import io.parley.bus.ChatApi.SendMessage;
import io.parley.bus.ChatApi.UpdateConversation;
import io.parley.http.RequestBody.Schema;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/conversations/*}: conversations, their members, messages, receipts and typing; the
 * persistence verticle does the work. {@link MessageRoutes} serves {@code /api/messages/*}.
 */
final class ConversationRoutes {
  static final JsonObject ID_LIST =
      new JsonObject().put("type", "array").put("items", string(1, 64)).put("maxItems", 1000);
  static final Schema CREATE =
      Schema.object(
          Map.of(
              "type",
                  new JsonObject()
                      .put("type", "string")
                      .put("enum", new JsonArray().add("direct").add("group")),
              "memberIds", ID_LIST,
              "title",
                  new JsonObject()
                      .put("type", new JsonArray().add("string").add("null"))
                      .put("maxLength", 100)),
          "type",
          "memberIds");
  static final Schema UPDATE = Schema.object(Map.of("title", string(1, 100)), "title");
  static final Schema ADD_MEMBERS =
      Schema.object(
          Map.of("userIds", ID_LIST.copy().put("minItems", 1).put("maxItems", 100)), "userIds");
  static final Schema SEND =
      Schema.object(
          Map.of(
              "clientId", string(1, 64),
              // the 4000-character limit is counted in code points by the service
              "text",
                  new JsonObject()
                      .put("type", new JsonArray().add("string").add("null"))
                      .put("maxLength", 8000),
              // ids of the sender's ready uploads; the uploads verticle checks each one
              "attachmentIds", ID_LIST.copy().put("maxItems", 10).put("uniqueItems", true)),
          "clientId");
  static final Schema RECEIPT =
      Schema.object(
          Map.of(
              "type",
                  new JsonObject()
                      .put("type", "string")
                      .put("enum", new JsonArray().add("delivered").add("read")),
              "upToSeq",
                  new JsonObject()
                      .put("type", "integer")
                      .put("minimum", 1)
                      .put("maximum", 9007199254740991L)),
          "type",
          "upToSeq");

  private final BusClient bus;

  ConversationRoutes(BusClient bus) {
    this.bus = bus;
  }

  void mount(Router router, TokenAuth auth) {
    router.post("/api/conversations").handler(auth).handler(this::create);
    router.get("/api/conversations").handler(auth).handler(this::list);
    router.get("/api/conversations/:id").handler(auth).handler(this::get);
    router.patch("/api/conversations/:id").handler(auth).handler(this::update);
    router
        .post("/api/conversations/:id/archive")
        .handler(auth)
        .handler(rc -> ref(rc, Addresses.CONVERSATIONS_ARCHIVE));
    router
        .delete("/api/conversations/:id/archive")
        .handler(auth)
        .handler(rc -> ref(rc, Addresses.CONVERSATIONS_UNARCHIVE));
    router.post("/api/conversations/:id/members").handler(auth).handler(this::addMembers);
    router
        .delete("/api/conversations/:id/members/:userId")
        .handler(auth)
        .handler(this::removeMember);
    router.post("/api/conversations/:id/messages").handler(auth).handler(this::send);
    router.get("/api/conversations/:id/messages").handler(auth).handler(this::history);
    router.post("/api/conversations/:id/receipts").handler(auth).handler(this::receipt);
    router
        .post("/api/conversations/:id/typing")
        .handler(auth)
        .handler(rc -> ref(rc, Addresses.TYPING_NOTIFY));
  }

  private void create(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, CREATE);
    if (b == null) {
      return;
    }
    var req =
        new CreateConversation(
            Requests.caller(rc),
            b.getString("type"),
            b.getJsonArray("memberIds").stream().map(String::valueOf).toList(),
            b.getString("title"));
    bus.request(Addresses.CONVERSATIONS_CREATE, req.toJson())
        .onSuccess(
            r -> Responses.json(rc, r.getBoolean("created") ? 201 : 200, without(r, "created")))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void list(RoutingContext rc) {
    Query q = new Query(rc);
    Boolean archived = q.bool("archived");
    Long limit = q.integer("limit", 1, 100);
    String cursor = q.string("cursor", 256);
    if (q.failed()) {
      return;
    }
    var req =
        new ListConversations(
            Requests.caller(rc),
            Boolean.TRUE.equals(archived),
            limit == null ? 20 : limit.intValue(),
            cursor);
    reply(rc, Addresses.CONVERSATIONS_LIST, req.toJson());
  }

  private void get(RoutingContext rc) {
    reply(
        rc,
        Addresses.CONVERSATIONS_GET,
        new ConversationRef(Requests.caller(rc), rc.pathParam("id")).toJson());
  }

  private void update(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, UPDATE);
    if (b != null) {
      reply(
          rc,
          Addresses.CONVERSATIONS_UPDATE,
          new UpdateConversation(Requests.caller(rc), rc.pathParam("id"), b.getString("title"))
              .toJson());
    }
  }

  private void ref(RoutingContext rc, String address) {
    noContent(rc, address, new ConversationRef(Requests.caller(rc), rc.pathParam("id")).toJson());
  }

  private void addMembers(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, ADD_MEMBERS);
    if (b != null) {
      List<String> ids = b.getJsonArray("userIds").stream().map(String::valueOf).toList();
      reply(
          rc,
          Addresses.CONVERSATIONS_ADD_MEMBERS,
          new AddMembers(Requests.caller(rc), rc.pathParam("id"), ids).toJson());
    }
  }

  private void removeMember(RoutingContext rc) {
    noContent(
        rc,
        Addresses.CONVERSATIONS_REMOVE_MEMBER,
        new RemoveMember(Requests.caller(rc), rc.pathParam("id"), rc.pathParam("userId")).toJson());
  }

  private void send(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, SEND);
    if (b == null) {
      return;
    }
    var req =
        new SendMessage(
            Requests.caller(rc),
            rc.pathParam("id"),
            b.getString("clientId"),
            b.getString("text"),
            b.getJsonArray("attachmentIds", new JsonArray()).stream()
                .map(String::valueOf)
                .toList());
    bus.request(Addresses.MESSAGES_SEND, req.toJson())
        .onSuccess(
            r -> Responses.json(rc, r.getBoolean("created") ? 201 : 200, without(r, "created")))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void history(RoutingContext rc) {
    Query q = new Query(rc);
    Long before = q.integer("beforeSeq", 1, Long.MAX_VALUE);
    Long after = q.integer("afterSeq", 0, Long.MAX_VALUE);
    Long limit = q.integer("limit", 1, 100);
    if (q.failed()) {
      return;
    }
    reply(
        rc,
        Addresses.MESSAGES_HISTORY,
        new History(
                Requests.caller(rc),
                rc.pathParam("id"),
                before,
                after,
                limit == null ? 50 : limit.intValue())
            .toJson());
  }

  private void receipt(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, RECEIPT);
    if (b != null) {
      noContent(
          rc,
          Addresses.RECEIPTS_MARK,
          new MarkReceipt(
                  Requests.caller(rc),
                  rc.pathParam("id"),
                  b.getString("type"),
                  b.getLong("upToSeq"))
              .toJson());
    }
  }

  private void reply(RoutingContext rc, String address, JsonObject body) {
    bus.request(address, body)
        .onSuccess(r -> Responses.json(rc, 200, r))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void noContent(RoutingContext rc, String address, JsonObject body) {
    bus.request(address, body)
        .onSuccess(r -> Responses.noContent(rc))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private static JsonObject without(JsonObject o, String key) {
    JsonObject c = o.copy();
    c.remove(key);
    return c;
  }
}
