package io.parley.hostile;

import io.parley.testing.TestNodes;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * JWTs built by hand, byte for byte, so that a test can forge exactly the token an attacker would:
 * any header, any claims of any JSON type, signed with the node's secret, another secret, another
 * algorithm or nothing at all.
 */
final class Tokens {
  private Tokens() {}

  static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static JsonObject header(String alg) {
    return new JsonObject().put("alg", alg).put("typ", "JWT");
  }

  /** Claims as Parley issues them: sub, sid, iss, iat, exp (valid for an hour). */
  static JsonObject claims(String sub, String sid) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject()
        .put("sub", sub)
        .put("sid", sid)
        .put("iss", "parley")
        .put("iat", now - 10)
        .put("exp", now + 3600);
  }

  /** A copy of the claims without one of them. */
  static JsonObject without(JsonObject claims, String name) {
    JsonObject c = claims.copy();
    c.remove(name);
    return c;
  }

  /** Signed with HS256 and the test nodes' secret: a token only the server could have made. */
  static String signed(JsonObject claims) {
    return hs256(TestNodes.TEST_SECRET, header("HS256"), claims);
  }

  static String hs256(String secret, JsonObject header, JsonObject claims) {
    return hmac("HmacSHA256", secret.getBytes(StandardCharsets.UTF_8), header, claims);
  }

  static String hmac(String macAlg, byte[] key, JsonObject header, JsonObject claims) {
    String input = b64(header.encode()) + "." + b64(claims.encode());
    try {
      Mac mac = Mac.getInstance(macAlg);
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, macAlg));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code alg: none} (in the given spelling), with an empty or a junk signature part. */
  static String unsigned(String alg, JsonObject claims, String signature) {
    return b64(header(alg).encode()) + "." + b64(claims.encode()) + "." + signature;
  }

  /** Signed with an attacker's own RSA key (RS256), its public key embedded as a {@code jwk}. */
  static String rs256WithOwnKey(JsonObject claims) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
      gen.initialize(2048);
      KeyPair kp = gen.generateKeyPair();
      var pub = (java.security.interfaces.RSAPublicKey) kp.getPublic();
      JsonObject header =
          header("RS256")
              .put(
                  "jwk",
                  new JsonObject()
                      .put("kty", "RSA")
                      .put("n", b64(unsigned(pub.getModulus().toByteArray())))
                      .put("e", b64(unsigned(pub.getPublicExponent().toByteArray()))));
      String input = b64(header.encode()) + "." + b64(claims.encode());
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initSign(kp.getPrivate());
      sig.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + b64(sig.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] unsigned(byte[] twosComplement) {
    return twosComplement.length > 1 && twosComplement[0] == 0
        ? java.util.Arrays.copyOfRange(twosComplement, 1, twosComplement.length)
        : twosComplement;
  }
}
