package io.parley.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A small blocking HTTP client for tests (real sockets, Vert.x WebClient underneath). */
public final class Http implements AutoCloseable {
  private final Vertx vertx;
  private final WebClient client;

  public Http() {
    this.vertx = Vertx.vertx();
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
  }

  public Vertx vertx() {
    return vertx;
  }

  public WebClient client() {
    return client;
  }

  public HttpResponse<Buffer> get(int port, String path) {
    return send(HttpMethod.GET, port, path, null, Map.of());
  }

  public HttpResponse<Buffer> get(int port, String path, String token) {
    return send(HttpMethod.GET, port, path, null, bearer(token));
  }

  public HttpResponse<Buffer> send(
      HttpMethod method, int port, String path, Buffer body, Map<String, String> headers) {
    var req = client.request(method, port, "127.0.0.1", path);
    headers.forEach(req::putHeader);
    try {
      return (body == null ? req.send() : req.sendBuffer(body)).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
    }
  }

  public HttpResponse<Buffer> json(
      HttpMethod method, int port, String path, JsonObject body, String token) {
    Map<String, String> h = new java.util.HashMap<>(bearer(token));
    h.put("Content-Type", "application/json");
    return send(method, port, path, body == null ? null : body.toBuffer(), h);
  }

  private static Map<String, String> bearer(String token) {
    return token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
  }

  @Override
  public void close() {
    client.close();
    vertx.close();
  }
}
