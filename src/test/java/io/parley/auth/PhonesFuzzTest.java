package io.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * Phone parsing takes what users type. It never throws; what it accepts is E.164 and normalising
 * that again gives the same number (one account per number, whatever its spelling).
 */
class PhonesFuzzTest {
  private static final String[] REGIONS = {"", "US", "GB", "DE", "IN", "BR", "ZZ", "xx"};

  @FuzzTest
  void normalizedNumbersAreStableE164(FuzzedDataProvider data) {
    Phones phones = new Phones(data.pickValue(REGIONS));
    String raw = data.consumeRemainingAsString();
    Optional<String> n = phones.normalize(raw);
    if (n.isPresent()) {
      assertThat(n.get()).matches("\\+[1-9][0-9]{1,14}");
      assertThat(phones.normalize(n.get())).contains(n.get());
      assertThat(new Phones("").normalize(n.get())).contains(n.get());
    }
  }
}
