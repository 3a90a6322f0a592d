package io.parley.auth;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;

/** Phone numbers to E.164 with libphonenumber. */
public final class Phones {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final String defaultRegion;

  /**
   * @param defaultRegion region for numbers without a country code, or "" to require +…
   */
  public Phones(String defaultRegion) {
    this.defaultRegion = defaultRegion == null || defaultRegion.isEmpty() ? "ZZ" : defaultRegion;
  }

  /**
   * The number in E.164 ({@code +14155550123}), or empty when it cannot be parsed or cannot be a
   * phone number (wrong length for its country).
   */
  public Optional<String> normalize(String raw) {
    if (raw == null || raw.length() > 64) {
      return Optional.empty();
    }
    try {
      PhoneNumber n = UTIL.parse(raw, defaultRegion);
      if (!UTIL.isPossibleNumber(n)) {
        return Optional.empty();
      }
      return Optional.of(UTIL.format(n, PhoneNumberUtil.PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }
}
