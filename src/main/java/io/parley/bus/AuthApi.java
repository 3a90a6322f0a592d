package io.parley.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Payloads of the auth verticle's addresses (see {@link Addresses} and docs/event-bus.md). Each
 * record maps itself to and from JSON explicitly; replies are already in the shape the HTTP API
 * returns.
 */
public final class AuthApi {
  private AuthApi() {}

  static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  static Instant instant(JsonObject j, String key) {
    String s = j.getString(key);
    return s == null ? null : Instant.parse(s);
  }

  /** Who is asking: the client address and user agent, as the HTTP edge saw them. */
  public record Client(String address, String userAgent) {
    public JsonObject toJson() {
      return new JsonObject().put("address", address).put("userAgent", userAgent);
    }

    public static Client fromJson(JsonObject j) {
      return j == null
          ? new Client("", "")
          : new Client(j.getString("address", ""), j.getString("userAgent", ""));
    }
  }

  /** {@code parley.auth.register}. */
  public record Register(
      String phone, String name, String password, String deviceName, Client client) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("phone", phone)
          .put("name", name)
          .put("password", password)
          .put("deviceName", deviceName)
          .put("client", client.toJson());
    }

    public static Register fromJson(JsonObject j) {
      return new Register(
          j.getString("phone"),
          j.getString("name"),
          j.getString("password"),
          j.getString("deviceName"),
          Client.fromJson(j.getJsonObject("client")));
    }
  }

  /** {@code parley.auth.login}. */
  public record Login(String phone, String password, String deviceName, Client client) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("phone", phone)
          .put("password", password)
          .put("deviceName", deviceName)
          .put("client", client.toJson());
    }

    public static Login fromJson(JsonObject j) {
      return new Login(
          j.getString("phone"),
          j.getString("password"),
          j.getString("deviceName"),
          Client.fromJson(j.getJsonObject("client")));
    }
  }

  /** A signed-in caller: the token's {@code sub} and {@code sid}. */
  public record Caller(String userId, String sessionId) {
    public JsonObject toJson() {
      return new JsonObject().put("userId", userId).put("sessionId", sessionId);
    }

    public static Caller fromJson(JsonObject j) {
      return new Caller(j.getString("userId"), j.getString("sessionId"));
    }
  }

  /** A user as the API shows it. */
  public record User(String id, String phone, String name) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("phone", phone).put("name", name);
    }

    public static User fromJson(JsonObject j) {
      return new User(j.getString("id"), j.getString("phone"), j.getString("name"));
    }
  }

  /** {@code parley.users.resolve}: which of these ids name users (request). */
  public record ResolveUsers(List<String> userIds) {
    public JsonObject toJson() {
      return new JsonObject().put("userIds", new JsonArray(List.copyOf(userIds)));
    }

    public static ResolveUsers fromJson(JsonObject j) {
      return new ResolveUsers(
          j.getJsonArray("userIds", new JsonArray()).stream().map(String::valueOf).toList());
    }
  }

  /** Reply of {@code parley.users.resolve}: the users that exist. */
  public record Users(List<User> users) {
    public JsonObject toJson() {
      JsonArray a = new JsonArray();
      users.forEach(u -> a.add(u.toJson()));
      return new JsonObject().put("users", a);
    }

    public static Users fromJson(JsonObject j) {
      return new Users(
          j.getJsonArray("users", new JsonArray()).stream()
              .map(o -> User.fromJson((JsonObject) o))
              .toList());
    }
  }

  /** A signed-in device. */
  public record Session(
      String id, String deviceName, String userAgent, Instant createdAt, Instant lastSeenAt) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("id", id)
          .put("deviceName", deviceName)
          .put("userAgent", userAgent)
          .put("createdAt", str(createdAt))
          .put("lastSeenAt", str(lastSeenAt));
    }

    public static Session fromJson(JsonObject j) {
      return new Session(
          j.getString("id"),
          j.getString("deviceName"),
          j.getString("userAgent"),
          instant(j, "createdAt"),
          instant(j, "lastSeenAt"));
    }
  }

  /** Reply of register, login and a redeemed QR link: {@code {token, expiresAt, user, session}}. */
  public record Grant(String token, Instant expiresAt, User user, Session session) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("token", token)
          .put("expiresAt", str(expiresAt))
          .put("user", user.toJson())
          .put("session", session.toJson());
    }

    public static Grant fromJson(JsonObject j) {
      return new Grant(
          j.getString("token"),
          instant(j, "expiresAt"),
          User.fromJson(j.getJsonObject("user")),
          Session.fromJson(j.getJsonObject("session")));
    }
  }

  /** {@code parley.sessions.check} request: is this token's session still signed in? */
  public record SessionCheck(String userId, String sessionId) {
    public JsonObject toJson() {
      return new JsonObject().put("userId", userId).put("sessionId", sessionId);
    }

    public static SessionCheck fromJson(JsonObject j) {
      return new SessionCheck(j.getString("userId"), j.getString("sessionId"));
    }
  }

  /** Published on {@code parley.sessions.revoked} after sessions were revoked in MongoDB. */
  public record SessionsRevoked(String userId, List<String> sessionIds) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("userId", userId)
          .put("sessionIds", new JsonArray(List.copyOf(sessionIds)));
    }

    public static SessionsRevoked fromJson(JsonObject j) {
      return new SessionsRevoked(
          j.getString("userId"),
          j.getJsonArray("sessionIds", new JsonArray()).stream().map(String::valueOf).toList());
    }
  }

  /** {@code parley.sessions.revoke}: the caller unlinks one of its own sessions. */
  public record RevokeSession(Caller caller, String sessionId) {
    public JsonObject toJson() {
      return new JsonObject().put("caller", caller.toJson()).put("sessionId", sessionId);
    }

    public static RevokeSession fromJson(JsonObject j) {
      return new RevokeSession(
          Caller.fromJson(j.getJsonObject("caller")), j.getString("sessionId"));
    }
  }

  /** {@code parley.users.update}. */
  public record UpdateUser(Caller caller, String name) {
    public JsonObject toJson() {
      return new JsonObject().put("caller", caller.toJson()).put("name", name);
    }

    public static UpdateUser fromJson(JsonObject j) {
      return new UpdateUser(Caller.fromJson(j.getJsonObject("caller")), j.getString("name"));
    }
  }

  /** {@code parley.users.lookup}. */
  public record Lookup(Caller caller, String phone) {
    public JsonObject toJson() {
      return new JsonObject().put("caller", caller.toJson()).put("phone", phone);
    }

    public static Lookup fromJson(JsonObject j) {
      return new Lookup(Caller.fromJson(j.getJsonObject("caller")), j.getString("phone"));
    }
  }

  /** Reply of {@code parley.qr.create}. */
  public record QrCreated(
      String challengeId, String qr, String requesterSecret, Instant expiresAt) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("challengeId", challengeId)
          .put("qr", qr)
          .put("requesterSecret", requesterSecret)
          .put("expiresAt", str(expiresAt));
    }

    public static QrCreated fromJson(JsonObject j) {
      return new QrCreated(
          j.getString("challengeId"),
          j.getString("qr"),
          j.getString("requesterSecret"),
          instant(j, "expiresAt"));
    }
  }

  /** {@code parley.qr.scan} and {@code parley.qr.approve}: a signed-in device acts on a QR. */
  public record QrAction(Caller caller, String qr, String deviceName) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("caller", caller.toJson())
          .put("qr", qr)
          .put("deviceName", deviceName);
    }

    public static QrAction fromJson(JsonObject j) {
      return new QrAction(
          Caller.fromJson(j.getJsonObject("caller")), j.getString("qr"), j.getString("deviceName"));
    }
  }

  /** Reply of {@code parley.qr.scan}: who is asking to be linked. */
  public record QrRequester(
      String challengeId, Client requester, Instant requestedAt, Instant expiresAt) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("challengeId", challengeId)
          .put("userAgent", requester.userAgent())
          .put("address", requester.address())
          .put("requestedAt", str(requestedAt))
          .put("expiresAt", str(expiresAt));
    }
  }

  /**
   * {@code parley.qr.poll} and {@code parley.qr.image}: the new device asks with its secret. {@code
   * secretFromUrl} says the secret came in the URL ({@code ?secret=}): that form works once per
   * challenge, because URLs end up in logs.
   */
  public record QrPoll(String challengeId, String secret, boolean secretFromUrl) {
    public QrPoll(String challengeId, String secret) {
      this(challengeId, secret, false);
    }

    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("challengeId", challengeId).put("secret", secret);
      return secretFromUrl ? j.put("secretFromUrl", true) : j;
    }

    public static QrPoll fromJson(JsonObject j) {
      return new QrPoll(
          j.getString("challengeId"), j.getString("secret"), j.getBoolean("secretFromUrl", false));
    }
  }

  /**
   * Reply of {@code parley.qr.poll}: {@code pending}, {@code scanned} or {@code approved} (then
   * carrying the grant, handed out exactly once).
   */
  public record QrStatus(String status, Instant expiresAt, Instant scannedAt, Grant grant) {
    public JsonObject toJson() {
      JsonObject j = new JsonObject().put("status", status).put("expiresAt", str(expiresAt));
      if (scannedAt != null) {
        j.put("scannedAt", str(scannedAt));
      }
      if (grant != null) {
        j.mergeIn(grant.toJson());
      }
      return j;
    }

    public static QrStatus fromJson(JsonObject j) {
      return new QrStatus(
          j.getString("status"),
          instant(j, "expiresAt"),
          instant(j, "scannedAt"),
          j.containsKey("token") ? Grant.fromJson(j) : null);
    }
  }

  /** Published on {@code parley.qr.updated} when a challenge was scanned or approved. */
  public record QrUpdated(String challengeId, String status) {
    public JsonObject toJson() {
      return new JsonObject().put("challengeId", challengeId).put("status", status);
    }

    public static QrUpdated fromJson(JsonObject j) {
      return new QrUpdated(j.getString("challengeId"), j.getString("status"));
    }
  }
}
