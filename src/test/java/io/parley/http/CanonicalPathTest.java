package io.parley.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CanonicalPathTest {
  @Test
  void theApisOwnPathsAreCanonical() {
    for (String p :
        new String[] {
          "/",
          "/health",
          "/sse",
          "/api/conversations/0123456789abcdef01234567/messages",
          "/api/auth/qr/0123456789abcdef0123456789abcdef/image.svg",
          "/assets/app.3f2a.js",
          "/a%20b"
        }) {
      assertThat(CanonicalPath.canonical(p)).as(p).isTrue();
    }
  }

  @Test
  void otherSpellingsOfAPathAreNot() {
    for (String p :
        new String[] {
          "",
          "metrics",
          "/metrics/",
          "//metrics",
          "/%6detrics",
          "/%6Detrics",
          "/./metrics",
          "/x/../metrics",
          "/api/..",
          "/api/.",
          "/api%2fusers",
          "/api%5cusers",
          "/api\\users",
          "/api/%2e%2e/x",
          "/bad%zz",
          "/cut%6"
        }) {
      assertThat(CanonicalPath.canonical(p)).as(p).isFalse();
    }
  }
}
