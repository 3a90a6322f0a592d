package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher();

  @Test
  void hashesWithArgon2idAtOwaspParametersAndVerifies() {
    String h = hasher.hash("correct horse battery staple");
    assertThat(h).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(hasher.verify("correct horse battery staple", h)).isTrue();
    assertThat(hasher.verify("correct horse battery stapler", h)).isFalse();
  }

  @Test
  void theSamePasswordHashesDifferentlyEachTime() {
    assertThat(hasher.hash("same")).isNotEqualTo(hasher.hash("same"));
  }

  @Test
  void malformedStoredHashesNeverVerify() {
    assertThat(hasher.verify("x", "")).isFalse();
    assertThat(hasher.verify("x", "$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA")).isFalse();
    assertThat(hasher.verify("x", "$argon2id$v=19$m=oops$AAAA$AAAA")).isFalse();
  }
}
