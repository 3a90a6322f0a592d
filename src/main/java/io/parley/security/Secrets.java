package io.parley.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random bearer secrets (QR tokens, stream tickets, upload tokens) and the hashes they are stored
 * as.
 */
public final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** {@code bytes} random bytes, base64url without padding. */
  public static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** {@code bytes} random bytes as lower-case hex (for ids that must not be guessable). */
  public static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Lower-case hex SHA-256 of the UTF-8 bytes: what is stored instead of a bearer secret. */
  public static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether {@code secret} is the one {@code storedHash} (from {@link #sha256}) was made of,
   * compared in constant time; false when either is null.
   */
  public static boolean matches(String secret, String storedHash) {
    return secret != null
        && storedHash != null
        && MessageDigest.isEqual(
            storedHash.getBytes(StandardCharsets.US_ASCII),
            sha256(secret).getBytes(StandardCharsets.US_ASCII));
  }
}
