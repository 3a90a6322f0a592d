package io.parley.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The Parley HTTP API as a client uses it, for tests. */
public final class Api {
  private static final AtomicInteger PHONES = new AtomicInteger((int) (System.nanoTime() % 5000));

  private final Http http;
  private final int port;

  public Api(Http http, int port) {
    this.http = http;
    this.port = port;
  }

  public int port() {
    return port;
  }

  public Api on(int otherPort) {
    return new Api(http, otherPort);
  }

  /** A fresh, valid, unused phone number in E.164. */
  public static String newPhone() {
    return String.format("+1415555%04d", PHONES.incrementAndGet() % 10000);
  }

  /** A signed-in test user. */
  public record Account(
      String id, String phone, String name, String password, String token, String sessionId) {}

  public Account register(String name) {
    String phone = newPhone();
    String password = "correct horse battery staple " + name;
    var res =
        post(
            "/api/auth/register",
            new JsonObject().put("phone", phone).put("name", name).put("password", password),
            null);
    if (res.statusCode() != 201) {
      throw new IllegalStateException(
          "register failed: " + res.statusCode() + " " + res.bodyAsString());
    }
    return account(res.bodyAsJsonObject(), password);
  }

  public Account login(Account a, String deviceName) {
    var res =
        post(
            "/api/auth/login",
            new JsonObject()
                .put("phone", a.phone())
                .put("password", a.password())
                .put("deviceName", deviceName),
            null);
    if (res.statusCode() != 200) {
      throw new IllegalStateException(
          "login failed: " + res.statusCode() + " " + res.bodyAsString());
    }
    return account(res.bodyAsJsonObject(), a.password());
  }

  public static Account account(JsonObject grant, String password) {
    JsonObject u = grant.getJsonObject("user");
    return new Account(
        u.getString("id"),
        u.getString("phone"),
        u.getString("name"),
        password,
        grant.getString("token"),
        grant.getJsonObject("session").getString("id"));
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return http.get(port, path, token);
  }

  public HttpResponse<Buffer> post(String path, JsonObject body, String token) {
    return http.json(HttpMethod.POST, port, path, body, token);
  }

  public HttpResponse<Buffer> patch(String path, JsonObject body, String token) {
    return http.json(HttpMethod.PATCH, port, path, body, token);
  }

  public HttpResponse<Buffer> delete(String path, String token) {
    return http.json(HttpMethod.DELETE, port, path, null, token);
  }

  public HttpResponse<Buffer> raw(
      HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    return http.send(method, port, path, body, headers);
  }

  /** Creates a conversation as {@code owner} with the others as members; returns its JSON. */
  public JsonObject conversation(Account owner, String type, String title, Account... others) {
    var ids = new io.vertx.core.json.JsonArray();
    for (Account o : others) {
      ids.add(o.id());
    }
    JsonObject body = new JsonObject().put("type", type).put("memberIds", ids);
    if (title != null) {
      body.put("title", title);
    }
    var res = post("/api/conversations", body, owner.token());
    if (res.statusCode() != 201 && res.statusCode() != 200) {
      throw new IllegalStateException(
          "create conversation failed: " + res.statusCode() + " " + res.bodyAsString());
    }
    return res.bodyAsJsonObject().getJsonObject("conversation");
  }

  /** Posts a message of {@code from}'s that carries these uploads (and no text). */
  public HttpResponse<Buffer> sendAttachments(
      Account from, String conversationId, String clientId, String... uploadIds) {
    return post(
        "/api/conversations/" + conversationId + "/messages",
        new JsonObject()
            .put("clientId", clientId)
            .put("attachmentIds", new io.vertx.core.json.JsonArray(List.of((Object[]) uploadIds))),
        from.token());
  }

  /** Sends a text message; returns the stored message. */
  public JsonObject send(Account from, String conversationId, String text) {
    var res =
        post(
            "/api/conversations/" + conversationId + "/messages",
            new JsonObject()
                .put("clientId", java.util.UUID.randomUUID().toString())
                .put("text", text),
            from.token());
    if (res.statusCode() != 201) {
      throw new IllegalStateException(
          "send failed: " + res.statusCode() + " " + res.bodyAsString());
    }
    return res.bodyAsJsonObject().getJsonObject("message");
  }

  public static String errorCode(HttpResponse<Buffer> res) {
    JsonObject b = res.bodyAsJsonObject();
    return b == null || b.getJsonObject("error") == null
        ? null
        : b.getJsonObject("error").getString("code");
  }
}
