package io.parley.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.Node;
import io.parley.testing.Api;
import io.parley.testing.Api.Account;
import io.parley.testing.Http;
import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens signed with an RS256 key pair from PEM files, when configured instead of a secret. */
class JwtKeyPairIT {
  @TempDir Path dir;

  @Test
  void rs256TokensAreIssuedAndOnlyRs256IsAccepted() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair kp = gen.generateKeyPair();
    Files.writeString(dir.resolve("private.pem"), pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
    Files.writeString(dir.resolve("public.pem"), pem("PUBLIC KEY", kp.getPublic().getEncoded()));
    Map<String, String> env = TestNodes.env(dir);
    env.remove("JWT_SECRET");
    env.put("JWT_ALGORITHM", "RS256");
    env.put("JWT_PRIVATE_KEY_PATH", "private.pem");
    env.put("JWT_PUBLIC_KEY_PATH", "public.pem");
    Node node = TestNodes.start(env, dir);
    try (Http http = new Http()) {
      Api api = new Api(http, node.httpPort());
      Account a = api.register("Keys");
      JsonObject header =
          new JsonObject(new String(Base64.getUrlDecoder().decode(a.token().split("\\.")[0])));
      assertThat(header.getString("alg")).isEqualTo("RS256");
      assertThat(api.get("/api/users/me", a.token()).statusCode()).isEqualTo(200);

      // an HS256 token "signed" with the public key (the classic algorithm-confusion attack)
      var hs = TestNodes.hs256(http.vertx(), Files.readString(dir.resolve("public.pem")));
      String forged =
          hs.generateToken(
              new JsonObject().put("sub", a.id()).put("sid", a.sessionId()),
              new io.vertx.ext.auth.JWTOptions().setIssuer("parley").setExpiresInSeconds(60));
      assertThat(api.get("/api/users/me", forged).statusCode()).isEqualTo(401);
    } finally {
      TestNodes.stop(node);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
