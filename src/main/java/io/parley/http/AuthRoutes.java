package io.parley.http;

import static io.parley.http.RequestBody.string;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi.Login;
import io.parley.bus.AuthApi.QrAction;
import io.parley.bus.AuthApi.Register;
import io.parley.bus.AuthApi.RevokeSession;
import io.parley.bus.BusClient;
import io.parley.http.RequestBody.Schema;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/**
 * {@code /api/auth/*} and {@code /api/sessions}: registration, sign-in, sign-out, devices, and the
 * signed-in side of the QR device link. The auth verticle does the work.
 */
final class AuthRoutes {
  static final Schema REGISTER =
      Schema.object(
          Map.of(
              "phone", string(1, 64),
              "name", string(1, 64),
              "password", string(1, 1024),
              "deviceName", string(0, 64)),
          "phone",
          "name",
          "password");
  static final Schema LOGIN =
      Schema.object(
          Map.of("phone", string(1, 64), "password", string(1, 1024), "deviceName", string(0, 64)),
          "phone",
          "password");
  static final Schema QR_SCAN = Schema.object(Map.of("qr", string(1, 256)), "qr");
  static final Schema QR_APPROVE =
      Schema.object(Map.of("qr", string(1, 256), "deviceName", string(0, 64)), "qr");

  private final BusClient bus;

  AuthRoutes(BusClient bus) {
    this.bus = bus;
  }

  void mount(Router router, TokenAuth auth) {
    router.post("/api/auth/register").handler(this::register);
    router.post("/api/auth/login").handler(this::login);
    router.post("/api/auth/logout").handler(auth).handler(this::logout);
    router.post("/api/auth/logout-all").handler(auth).handler(this::logoutAll);
    router.get("/api/sessions").handler(auth).handler(this::sessions);
    router.delete("/api/sessions/:id").handler(auth).handler(this::revoke);
    router.post("/api/auth/qr/scan").handler(auth).handler(this::scan);
    router.post("/api/auth/qr/approve").handler(auth).handler(this::approve);
  }

  private void register(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, REGISTER);
    if (b == null) {
      return;
    }
    var req =
        new Register(
            b.getString("phone"),
            b.getString("name"),
            b.getString("password"),
            b.getString("deviceName"),
            Requests.client(rc));
    bus.request(Addresses.AUTH_REGISTER, req.toJson())
        .onSuccess(grant -> Responses.json(rc, 201, grant))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void login(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, LOGIN);
    if (b == null) {
      return;
    }
    var req =
        new Login(
            b.getString("phone"),
            b.getString("password"),
            b.getString("deviceName"),
            Requests.client(rc));
    bus.request(Addresses.AUTH_LOGIN, req.toJson())
        .onSuccess(grant -> Responses.json(rc, 200, grant))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void logout(RoutingContext rc) {
    noContent(rc, Addresses.AUTH_LOGOUT, Requests.caller(rc).toJson());
  }

  private void logoutAll(RoutingContext rc) {
    noContent(rc, Addresses.AUTH_LOGOUT_ALL, Requests.caller(rc).toJson());
  }

  private void sessions(RoutingContext rc) {
    bus.request(Addresses.SESSIONS_LIST, Requests.caller(rc).toJson())
        .onSuccess(list -> Responses.json(rc, 200, list))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void revoke(RoutingContext rc) {
    noContent(
        rc,
        Addresses.SESSIONS_REVOKE,
        new RevokeSession(Requests.caller(rc), rc.pathParam("id")).toJson());
  }

  private void scan(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, QR_SCAN);
    if (b == null) {
      return;
    }
    bus.request(
            Addresses.QR_SCAN, new QrAction(Requests.caller(rc), b.getString("qr"), null).toJson())
        .onSuccess(requester -> Responses.json(rc, 200, requester))
        .onFailure(err -> Responses.failure(rc, err));
  }

  private void approve(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, QR_APPROVE);
    if (b == null) {
      return;
    }
    noContent(
        rc,
        Addresses.QR_APPROVE,
        new QrAction(Requests.caller(rc), b.getString("qr"), b.getString("deviceName")).toJson());
  }

  private void noContent(RoutingContext rc, String address, JsonObject body) {
    bus.request(address, body)
        .onSuccess(ignored -> Responses.noContent(rc))
        .onFailure(err -> Responses.failure(rc, err));
  }
}
