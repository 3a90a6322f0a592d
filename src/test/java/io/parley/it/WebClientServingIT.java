package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.testing.Api;
import io.parley.testing.SingleNodeSuite;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the node serves the web client at {@code /} (no browser needed; WebClientIT uses one). */
class WebClientServingIT extends SingleNodeSuite {
  @Test
  void thePageAndItsAssetsAreServedWithCachingHeadersAndAStrictPolicy() {
    var page = http.get(node.httpPort(), "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.getHeader("Cache-Control")).isEqualTo("no-cache");
    String csp = page.getHeader("Content-Security-Policy");
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'");
    assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval");
    String html = page.bodyAsString();
    assertThat(html).doesNotContain("%ASSETS%").doesNotContain("<script>").doesNotContain("style=");
    String main = html.replaceAll("(?s).*src=\"(/assets/[0-9a-f]+/app/main\\.js)\".*", "$1");
    assertThat(main).startsWith("/assets/");

    var js = api.raw(HttpMethod.GET, main, null, Map.of("Accept-Encoding", "gzip"));
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.getHeader("Content-Type")).startsWith("text/javascript");
    assertThat(js.getHeader("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    assertThat(js.getHeader("Content-Encoding")).isEqualTo("gzip");

    var revalidated =
        api.raw(HttpMethod.GET, "/", null, Map.of("If-None-Match", page.getHeader("ETag")));
    assertThat(revalidated.statusCode()).isEqualTo(304);

    // an old release's asset, and the API's own 404s, are untouched by the page's routes
    var stale = http.get(node.httpPort(), "/assets/0000000000000000/app/main.js");
    assertThat(stale.statusCode()).isEqualTo(404);
    assertThat(Api.errorCode(stale)).isEqualTo("not_found");
    var unknownApi = http.get(node.httpPort(), "/api/nothing-here");
    assertThat(Api.errorCode(unknownApi)).isEqualTo("not_found");
    assertThat(unknownApi.getHeader("Content-Security-Policy")).startsWith("default-src 'none';");
    assertThat(unknownApi.getHeader("Content-Security-Policy")).doesNotContain("script-src");
    assertThat(http.get(node.httpPort(), "/health/live").statusCode()).isEqualTo(200);
  }
}
