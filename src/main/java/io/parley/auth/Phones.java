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
    // a number's E.164 form must be its own normal form, or one phone could name two accounts:
    // parsing the formatted number can strip a national prefix left inside it (PhonesFuzzTest
    // found +54 0… numbers that change again), so repeat until it is stable
    Optional<String> n = once(raw);
    for (int i = 0; i < 3 && n.isPresent(); i++) {
      Optional<String> again = once(n.get());
      if (again.equals(n)) {
        return n;
      }
      n = again;
    }
    return Optional.empty();
  }

  private Optional<String> once(String raw) {
    try {
      PhoneNumber n = UTIL.parse(raw, defaultRegion);
      if (!UTIL.isPossibleNumber(n)) {
        return Optional.empty();
      }
      String e164 = UTIL.format(n, PhoneNumberUtil.PhoneNumberFormat.E164);
      // "possible" lengths of some countries exceed E.164's 15 digits (found by PhonesFuzzTest)
      return e164.length() > 16 ? Optional.empty() : Optional.of(e164);
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }
}
