package io.parley.security;

import io.parley.config.ParleyConfig.JwtConfig;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * Builds the JWT provider from the config: one algorithm only (HS256 with the shared secret, or
 * RS256 / ES256 with PEM keys), so tokens in any other algorithm, or with {@code alg: none}, are
 * refused. The auth verticle signs; every HTTP node verifies.
 */
public final class Jwt {
  public static final String ISSUER = "parley";

  private Jwt() {}

  /** A provider that can sign (when it has the secret or private key) and verify. */
  public static JWTAuth provider(Vertx vertx, JwtConfig cfg, boolean sign) {
    JWTAuthOptions opts =
        new JWTAuthOptions().setJWTOptions(new JWTOptions().setIssuer(ISSUER).setLeeway(5));
    if ("HS256".equals(cfg.algorithm())) {
      opts.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(cfg.secret()));
    } else {
      opts.addPubSecKey(
          new PubSecKeyOptions()
              .setAlgorithm(cfg.algorithm())
              .setBuffer(read(cfg.publicKeyPath())));
      if (sign && cfg.privateKeyPath() != null) {
        opts.addPubSecKey(
            new PubSecKeyOptions()
                .setAlgorithm(cfg.algorithm())
                .setBuffer(read(cfg.privateKeyPath())));
      }
    }
    return JWTAuth.create(vertx, opts);
  }

  /**
   * Options for signing with the configured algorithm. The caller puts {@code iat} and {@code exp}
   * in the claims itself, so that the token and its session expire at the same second.
   */
  public static JWTOptions signing(JwtConfig cfg) {
    return new JWTOptions().setAlgorithm(cfg.algorithm()).setIssuer(ISSUER).setNoTimestamp(true);
  }

  private static String read(java.nio.file.Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }
}
