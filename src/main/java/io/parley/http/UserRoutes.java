package io.parley.http;

import static io.parley.http.RequestBody.string;

import io.parley.bus.Addresses;
import io.parley.bus.AuthApi.Lookup;
import io.parley.bus.AuthApi.UpdateUser;
import io.parley.bus.BusClient;
import io.parley.http.RequestBody.Schema;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;

/** {@code /api/users/*}: the caller's profile and contact lookup by phone number. */
final class UserRoutes {
  static final Schema UPDATE = Schema.object(Map.of("name", string(1, 64)), "name");

  private final BusClient bus;

  UserRoutes(BusClient bus) {
    this.bus = bus;
  }

  void mount(Router router, TokenAuth auth) {
    router.get("/api/users/me").handler(auth).handler(this::me);
    router.patch("/api/users/me").handler(auth).handler(this::update);
    router.get("/api/users/lookup").handler(auth).handler(this::lookup);
  }

  private void me(RoutingContext rc) {
    reply(rc, Addresses.USERS_ME, Requests.caller(rc).toJson());
  }

  private void update(RoutingContext rc) {
    JsonObject b = RequestBody.read(rc, UPDATE);
    if (b == null) {
      return;
    }
    reply(
        rc,
        Addresses.USERS_UPDATE,
        new UpdateUser(Requests.caller(rc), b.getString("name")).toJson());
  }

  private void lookup(RoutingContext rc) {
    var phones = rc.queryParam("phone");
    if (phones.size() != 1 || phones.get(0).isBlank() || phones.get(0).length() > 64) {
      Responses.error(
          rc, 400, "validation_failed", "phone: exactly one phone query parameter is required");
      return;
    }
    String phone = phones.get(0);
    // an unencoded '+' in a query string arrives as a space: ?phone=+14155550123
    if (phone.startsWith(" ")) {
      phone = "+" + phone.stripLeading();
    }
    reply(rc, Addresses.USERS_LOOKUP, new Lookup(Requests.caller(rc), phone).toJson());
  }

  private void reply(RoutingContext rc, String address, JsonObject body) {
    bus.request(address, body)
        .onSuccess(user -> Responses.json(rc, 200, user))
        .onFailure(err -> Responses.failure(rc, err));
  }
}
