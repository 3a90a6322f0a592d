package io.parley.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void aSecretMatchesTheHashItWasStoredAs() {
    String secret = Secrets.random(32);

    assertThat(Secrets.matches(secret, Secrets.sha256(secret))).isTrue();
  }

  @Test
  void anotherSecretOrAMissingOneDoesNotMatch() {
    String hash = Secrets.sha256(Secrets.random(32));

    assertThat(Secrets.matches(Secrets.random(32), hash)).isFalse();
    assertThat(Secrets.matches("", hash)).isFalse();
    assertThat(Secrets.matches(null, hash)).isFalse();
    assertThat(Secrets.matches("x", null)).isFalse();
    assertThat(Secrets.matches("x", "")).isFalse();
  }

  @Test
  void randomSecretsAreUrlSafeAndDistinct() {
    String a = Secrets.random(32);

    assertThat(a).matches("[A-Za-z0-9_-]{43}");
    assertThat(a).isNotEqualTo(Secrets.random(32));
    assertThat(Secrets.randomHex(16)).matches("[0-9a-f]{32}");
  }
}
