package io.parley.auth;

import io.parley.NodeContext;
import io.parley.bus.Addresses;
import io.parley.bus.ApiError;
import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.Caller;
import io.parley.bus.AuthApi.Client;
import io.parley.bus.AuthApi.Grant;
import io.parley.bus.AuthApi.Login;
import io.parley.bus.AuthApi.Lookup;
import io.parley.bus.AuthApi.Register;
import io.parley.bus.AuthApi.ResolveUsers;
import io.parley.bus.AuthApi.RevokeSession;
import io.parley.bus.AuthApi.SessionCheck;
import io.parley.bus.AuthApi.SessionsRevoked;
import io.parley.bus.AuthApi.UpdateUser;
import io.parley.bus.AuthApi.Users;
import io.parley.bus.Failure;
import io.parley.bus.Ids;
import io.parley.config.ParleyConfig.AuthConfig;
import io.parley.ratelimit.RateLimiter;
import io.parley.ratelimit.RateLimiter.Decision;
import io.parley.ratelimit.RateLimiter.Limit;
import io.parley.security.DisplayText;
import io.parley.security.Jwt;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Registration, sign-in, sessions and users. */
final class AccountService {
  static final int MAX_PASSWORD_BYTES = 1024;
  static final int MAX_NAME_LENGTH = 64;
  static final int MAX_DEVICE_NAME_LENGTH = 64;
  static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private final Vertx vertx;
  private final NodeContext ctx;
  private final AuthConfig cfg;
  private final UserRepository users;
  private final SessionRepository sessions;
  private final PasswordHasher hasher;
  private final WorkerExecutor hashing;
  private final JWTAuth jwt;
  private final Phones phones;
  private final RateLimiter limiter;
  private final Limit failedByPhone;
  private final Limit failedByAddress;
  private final Limit registrations;
  private final Limit lookups;
  private final Clock clock;

  /** A real hash to verify against when the phone is unknown, so both cases cost the same. */
  private final Future<String> decoyHash;

  AccountService(
      Vertx vertx,
      NodeContext ctx,
      UserRepository users,
      SessionRepository sessions,
      PasswordHasher hasher,
      WorkerExecutor hashing,
      JWTAuth jwt,
      Clock clock) {
    this.vertx = vertx;
    this.ctx = ctx;
    this.cfg = ctx.config().auth();
    this.users = users;
    this.sessions = sessions;
    this.hasher = hasher;
    this.hashing = hashing;
    this.jwt = jwt;
    this.phones = new Phones(cfg.phoneDefaultRegion());
    this.limiter = ctx.rateLimiter();
    this.failedByPhone = new Limit("login-phone", cfg.failedLoginLimit(), cfg.failedLoginWindow());
    this.failedByAddress =
        new Limit("login-address", cfg.failedLoginLimit(), cfg.failedLoginWindow());
    this.registrations =
        new Limit("register-address", cfg.registrationsPerHour(), Duration.ofHours(1));
    this.lookups = new Limit("lookup-user", cfg.lookupLimitPerMinute(), Duration.ofMinutes(1));
    this.clock = clock;
    this.decoyHash = hashing.executeBlocking(() -> hasher.hash("decoy password"), false);
  }

  // --- register / login -------------------------------------------------------------------

  Future<JsonObject> register(Register r) {
    String phone = phone(r.phone());
    String name = name(r.name());
    password(r.password(), true);
    String device = deviceName(r.deviceName(), r.client());
    return limit(registrations, r.client().address())
        .compose(v -> users.findByPhone(phone))
        .compose(
            existing -> {
              if (existing != null) {
                return Future.failedFuture(phoneTaken());
              }
              return hashing.executeBlocking(() -> hasher.hash(r.password()), false);
            })
        .compose(hash -> users.insert(phone, name, hash, now()))
        .compose(
            created ->
                created.isPresent()
                    ? Future.succeededFuture(created.get())
                    : Future.failedFuture(phoneTaken()))
        .compose(user -> grant(user, device, r.client()))
        .map(Grant::toJson);
  }

  Future<JsonObject> login(Login l) {
    String phone = phone(l.phone());
    if (l.password() == null || l.password().isEmpty()) {
      throw ApiException.invalid("password", "password is required");
    }
    passwordSize(l.password());
    String address = l.client().address();
    String device = deviceName(l.deviceName(), l.client());
    // the brute-force limits are taken before any hashing, atomically: of parallel attempts, only
    // as many as the limit allows get to verify a password; a success gives its hits back
    return Future.all(
            limiter.consume(failedByPhone, phone), limiter.consume(failedByAddress, address))
        .compose(
            both -> {
              Decision p = both.resultAt(0);
              Decision a = both.resultAt(1);
              if (!p.allowed() || !a.allowed()) {
                long retry =
                    Math.max(
                        p.allowed() ? 0 : p.retryAfterSeconds(),
                        a.allowed() ? 0 : a.retryAfterSeconds());
                return Future.failedFuture(tooManyAttempts(retry));
              }
              return users.findByPhone(phone);
            })
        .compose(
            user -> {
              Future<String> stored =
                  user != null ? Future.succeededFuture(user.passwordHash()) : decoyHash;
              return stored
                  .compose(
                      h -> hashing.executeBlocking(() -> hasher.verify(l.password(), h), false))
                  .compose(
                      ok -> {
                        if (ok && user != null) {
                          // only failures count: the phone's slate is wiped, the address's hit
                          // given back
                          return Future.all(
                                  limiter.reset(failedByPhone, phone),
                                  limiter.refund(failedByAddress, address))
                              .map(v -> user);
                        }
                        return Future.failedFuture(
                            new ApiException(
                                Failure.UNAUTHORIZED,
                                "invalid_credentials",
                                "Phone number or password is incorrect"));
                      });
            })
        .compose(user -> grant(user, device, l.client()))
        .map(Grant::toJson);
  }

  /** Creates a session for the user and signs its token; the session ends when the token does. */
  Future<Grant> grant(User user, String deviceName, Client client) {
    Instant issuedAt = now().truncatedTo(ChronoUnit.SECONDS);
    Instant expiresAt = issuedAt.plus(ctx.config().jwt().expiresIn());
    String userId = user.id();
    return sessions
        .create(userId, deviceName, client.userAgent(), client.address(), issuedAt, expiresAt)
        .compose(session -> signOutBeyondCap(userId, session).map(session))
        .map(session -> mint(user, session, issuedAt, expiresAt));
  }

  /**
   * Past {@code auth.maxSessionsPerUser}: the least recently seen sessions (never the new one) go.
   */
  private Future<Void> signOutBeyondCap(String userId, Session fresh) {
    Instant now = now();
    return sessions
        .findActive(userId, now)
        .compose(
            active -> {
              int max = cfg.maxSessionsPerUser();
              if (active.size() <= max) {
                return Future.succeededFuture();
              }
              List<String> oldest =
                  active.stream()
                      .filter(s -> !s.id().equals(fresh.id()))
                      .sorted(java.util.Comparator.comparing(Session::lastSeenAt))
                      .limit(active.size() - max)
                      .map(Session::id)
                      .toList();
              List<Future<Boolean>> revoked = new java.util.ArrayList<>();
              oldest.forEach(id -> revoked.add(sessions.revoke(userId, id, now)));
              return Future.all(revoked).onSuccess(v -> publishRevoked(userId, oldest)).mapEmpty();
            });
  }

  private Grant mint(User user, Session session, Instant issuedAt, Instant expiresAt) {
    JsonObject claims =
        new JsonObject()
            .put("sub", user.id())
            .put("sid", session.id())
            .put("iat", issuedAt.getEpochSecond())
            .put("exp", expiresAt.getEpochSecond());
    String token = jwt.generateToken(claims, Jwt.signing(ctx.config().jwt()));
    return new Grant(token, expiresAt, user.view(), session.view());
  }

  // --- sessions ---------------------------------------------------------------------------

  Future<JsonObject> check(SessionCheck c) {
    Instant now = now();
    return sessions
        .findById(c.sessionId())
        .map(
            s -> {
              if (s != null && !c.userId().equals(s.userId())) {
                // a token whose subject and session disagree
                return new JsonObject().put("active", false).put("foreign", true);
              }
              boolean active = s != null && s.activeAt(now);
              if (active) {
                Instant seen = s.lastSeenAt();
                if (seen == null || seen.plus(TOUCH_EVERY).isBefore(now)) {
                  sessions.touch(c.sessionId(), now);
                }
              }
              return new JsonObject().put("active", active);
            });
  }

  Future<JsonObject> logout(Caller caller) {
    return sessions
        .revoke(caller.userId(), caller.sessionId(), now())
        .map(
            revoked -> {
              publishRevoked(caller.userId(), List.of(caller.sessionId()));
              return new JsonObject();
            });
  }

  Future<JsonObject> logoutAll(Caller caller) {
    return sessions
        .revokeAll(caller.userId(), now())
        .map(
            ids -> {
              List<String> all = new java.util.ArrayList<>(ids);
              if (!all.contains(caller.sessionId())) {
                all.add(caller.sessionId());
              }
              publishRevoked(caller.userId(), all);
              return new JsonObject();
            });
  }

  Future<JsonObject> list(Caller caller) {
    return sessions
        .findActive(caller.userId(), now())
        .map(
            active -> {
              JsonArray out = new JsonArray();
              for (Session s : active) {
                out.add(s.view().toJson().put("current", s.id().equals(caller.sessionId())));
              }
              return new JsonObject().put("sessions", out);
            });
  }

  Future<JsonObject> revoke(RevokeSession r) {
    if (!Ids.valid(r.sessionId())) {
      return Future.failedFuture(sessionNotFound());
    }
    return sessions
        .revoke(r.caller().userId(), r.sessionId(), now())
        .compose(
            revoked -> {
              if (!revoked) {
                return Future.failedFuture(sessionNotFound());
              }
              publishRevoked(r.caller().userId(), List.of(r.sessionId()));
              return Future.succeededFuture(new JsonObject());
            });
  }

  /**
   * Every node must hear of a revocation within a second, in every topology: on the clustered bus
   * (which reaches this node's and every member's consumers) and, for nodes that only share Redis,
   * through the relay.
   */
  private void publishRevoked(String userId, List<String> ids) {
    SessionsRevoked r = new SessionsRevoked(userId, ids);
    vertx.eventBus().publish(Addresses.SESSIONS_REVOKED, r.toJson());
    if (ctx.relay() != null) {
      ctx.relay().publishRevoked(r);
    }
  }

  // --- users ------------------------------------------------------------------------------

  Future<JsonObject> me(Caller caller) {
    return users
        .findById(caller.userId())
        .compose(
            u ->
                u == null
                    ? Future.failedFuture(
                        new ApiException(Failure.NOT_FOUND, "user_not_found", "No such user"))
                    : Future.succeededFuture(u.view().toJson()));
  }

  Future<JsonObject> update(UpdateUser u) {
    String name = name(u.name());
    return users
        .updateName(u.caller().userId(), name)
        .compose(
            renamed ->
                renamed == null
                    ? Future.failedFuture(
                        new ApiException(Failure.NOT_FOUND, "user_not_found", "No such user"))
                    : Future.succeededFuture(renamed.view().toJson()));
  }

  Future<JsonObject> lookup(Lookup l) {
    String phone = phone(l.phone());
    return limit(lookups, l.caller().userId())
        .compose(v -> users.findByPhone(phone))
        .compose(
            u ->
                u == null
                    ? Future.failedFuture(
                        new ApiException(
                            Failure.NOT_FOUND, "user_not_found", "No user has this phone number"))
                    : Future.succeededFuture(u.view().toJson()));
  }

  Future<JsonObject> resolve(ResolveUsers req) {
    return users
        .findByIds(req.userIds())
        .map(found -> new Users(found.stream().map(User::view).toList()).toJson());
  }

  // --- validation (the bus is a contract: the service checks what it relies on) ----------

  String phone(String raw) {
    if (raw == null || raw.isBlank()) {
      throw ApiException.invalid("phone", "phone is required");
    }
    return phones
        .normalize(raw)
        .orElseThrow(
            () ->
                new ApiException(
                    Failure.BAD_REQUEST,
                    "invalid_phone",
                    "phone is not a phone number (use the international format, e.g. +14155550123)"));
  }

  String name(String raw) {
    String n = raw == null ? "" : raw.strip();
    if (n.isEmpty() || n.length() > MAX_NAME_LENGTH || DisplayText.deceptive(n)) {
      throw ApiException.invalid(
          "name",
          "name must be 1 to "
              + MAX_NAME_LENGTH
              + " visible characters (no control, invisible or direction-changing ones)");
    }
    return n;
  }

  void password(String p, boolean registering) {
    if (p == null || p.isEmpty()) {
      throw ApiException.invalid("password", "password is required");
    }
    passwordSize(p);
    if (registering && p.codePointCount(0, p.length()) < cfg.passwordMinLength()) {
      throw new ApiException(
          Failure.BAD_REQUEST,
          "weak_password",
          "password must be at least " + cfg.passwordMinLength() + " characters");
    }
  }

  static void passwordSize(String p) {
    if (p.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw new ApiException(
          Failure.BAD_REQUEST, "password_too_long", "password must be at most 1024 bytes");
    }
  }

  static String deviceName(String raw, Client client) {
    String n = raw == null ? "" : raw.strip();
    if (n.length() > MAX_DEVICE_NAME_LENGTH || DisplayText.deceptive(n)) {
      throw ApiException.invalid(
          "deviceName",
          "deviceName must be at most "
              + MAX_DEVICE_NAME_LENGTH
              + " visible characters (no control, invisible or direction-changing ones)");
    }
    if (!n.isEmpty()) {
      return n;
    }
    String ua = client.userAgent() == null ? "" : client.userAgent().strip();
    return ua.isEmpty()
        ? "Unknown device"
        : ua.substring(0, Math.min(ua.length(), MAX_DEVICE_NAME_LENGTH));
  }

  private Future<Void> limit(Limit limit, String key) {
    return limiter.require(limit, key, "Too many requests; try again later");
  }

  private static ApiException phoneTaken() {
    return new ApiException(
        Failure.CONFLICT, "phone_taken", "An account with this phone number exists");
  }

  private static ApiException sessionNotFound() {
    return new ApiException(Failure.NOT_FOUND, "session_not_found", "No such session");
  }

  private static ApiException tooManyAttempts(long retryAfter) {
    return new ApiException(
        ApiError.of(
                Failure.RATE_LIMITED,
                "too_many_attempts",
                "Too many failed sign-ins; try again later")
            .withRetryAfter(retryAfter));
  }

  private Instant now() {
    return clock.instant();
  }
}
