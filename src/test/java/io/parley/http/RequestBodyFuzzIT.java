package io.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Request-body parsing and validation, fuzzed through a real node: the first byte picks one of the
 * JSON routes, the rest is the body, sent as {@code application/json}. Whatever arrives, the answer
 * is never a 5xx, and a refusal is a 4xx in the API's error shape with a code. Seeds: {@code
 * RequestBodyFuzzITInputs/}; docs/reliability.md says how to fuzz longer.
 */
class RequestBodyFuzzIT {
  private static Node node;
  private static Http http;
  private static Api.Account user;
  private static String conv;

  private record Route(HttpMethod method, String path, boolean signedIn) {}

  private static Route[] routes;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("parley-fuzz");
    node = TestNodes.start(TestNodes.env(dir), dir);
    http = new Http();
    Api api = new Api(http, node.httpPort());
    user = api.register("fuzz");
    Api.Account other = api.register("fuzz peer");
    conv = api.conversation(user, "group", "fuzz", other).getString("id");
    routes =
        new Route[] {
          new Route(HttpMethod.POST, "/api/auth/register", false),
          new Route(HttpMethod.POST, "/api/auth/login", false),
          new Route(HttpMethod.POST, "/api/conversations", true),
          new Route(HttpMethod.POST, "/api/conversations/" + conv + "/messages", true),
          new Route(HttpMethod.POST, "/api/conversations/" + conv + "/receipts", true),
          new Route(HttpMethod.PATCH, "/api/conversations/" + conv, true),
          new Route(HttpMethod.POST, "/api/conversations/" + conv + "/members", true),
          new Route(HttpMethod.PATCH, "/api/users/me", true),
          new Route(HttpMethod.POST, "/api/uploads", true),
          new Route(HttpMethod.POST, "/api/auth/qr/scan", true),
        };
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    TestNodes.stop(node);
  }

  @FuzzTest
  void anyBodyOnAnyJsonRouteIsAnsweredWithoutServerError(byte[] input) {
    if (input.length == 0) {
      return;
    }
    Route r = routes[Math.floorMod(input[0], routes.length)];
    Buffer body = Buffer.buffer(Arrays.copyOfRange(input, 1, input.length));
    Map<String, String> headers =
        r.signedIn()
            ? Map.of("Content-Type", "application/json", "Authorization", "Bearer " + user.token())
            : Map.of("Content-Type", "application/json");
    HttpResponse<Buffer> res = http.send(r.method(), node.httpPort(), r.path(), body, headers);
    assertThat(res.statusCode()).as(r.path() + " " + res.bodyAsString()).isLessThan(500);
    if (res.statusCode() >= 400) {
      JsonObject err = new JsonObject(res.bodyAsString()).getJsonObject("error");
      assertThat(err.getString("code")).as(res.bodyAsString()).isNotBlank();
    }
  }
}
