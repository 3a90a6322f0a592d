package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PhonesTest {
  @Test
  void internationalNumbersBecomeE164() {
    Phones p = new Phones("");
    assertThat(p.normalize("+1 (415) 555-0123")).contains("+14155550123");
    assertThat(p.normalize("+44 20 7946 0958")).contains("+442079460958");
    assertThat(p.normalize("00 49 30 123456789")).isEmpty();
  }

  @Test
  void nationalNumbersNeedADefaultRegion() {
    assertThat(new Phones("").normalize("(415) 555-0123")).isEmpty();
    assertThat(new Phones("US").normalize("(415) 555-0123")).contains("+14155550123");
  }

  @Test
  void garbageIsNotAPhoneNumber() {
    Phones p = new Phones("");
    assertThat(p.normalize("hello")).isEmpty();
    assertThat(p.normalize("+1 234")).isEmpty();
    assertThat(p.normalize("+" + "1".repeat(80))).isEmpty();
    assertThat(p.normalize(null)).isEmpty();
  }
}
