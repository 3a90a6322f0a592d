package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Plain HTTP calls for setting targets up (users, conversations) and for the sends. */
final class Http {
  record Reply(int status, Buffer body) {
    JsonObject json() {
      return body.length() == 0 ? new JsonObject() : body.toJsonObject();
    }
  }

  /** One request: port, path, headers, body (may be null). */
  record Req(int port, HttpMethod method, String uri, Map<String, String> headers, Buffer body) {}

  final HttpClient client;

  Http(Vertx vertx, int poolSize) {
    client =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setIdleTimeout(0),
            new PoolOptions().setHttp1MaxSize(poolSize).setMaxWaitQueueSize(-1));
  }

  Future<Reply> call(Req r) {
    RequestOptions o =
        new RequestOptions()
            .setHost("127.0.0.1")
            .setPort(r.port())
            .setMethod(r.method())
            .setURI(r.uri());
    r.headers().forEach(o::putHeader);
    if (r.body() != null) {
      o.putHeader("Content-Type", "application/json");
    }
    return client
        .request(o)
        .compose(req -> r.body() == null ? req.send() : req.send(r.body()))
        .compose(res -> res.body().map(b -> new Reply(res.statusCode(), b)));
  }

  /** Blocking JSON call for set-up work (never on an event loop). */
  Reply json(int port, HttpMethod m, String uri, Map<String, String> headers, JsonObject body) {
    try {
      return call(new Req(port, m, uri, headers, body == null ? null : body.toBuffer())).await();
    } catch (Exception e) {
      throw new IllegalStateException(m + " " + uri + ": " + e, e);
    }
  }

  static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }
}
