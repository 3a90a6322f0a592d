package io.parley.bus;

import java.util.regex.Pattern;

/**
 * The shape of the ids that cross the bus and appear in the API: users, sessions, conversations,
 * messages and uploads are 24 lowercase hex digits. An id is a name, never a secret: every route
 * checks that the caller may touch what it names. Ids that must also be unguessable (QR challenges)
 * are random and longer; see {@link #validChallenge}.
 */
public final class Ids {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{24}");
  private static final Pattern CHALLENGE = Pattern.compile("[0-9a-f]{32}");

  private Ids() {}

  /** Whether {@code s} has the shape of an id; anything else names nothing (404 or 401). */
  public static boolean valid(String s) {
    return s != null && s.length() == 24 && ID.matcher(s).matches();
  }

  /** Whether {@code s} has the shape of a QR challenge id (128 random bits, hex). */
  public static boolean validChallenge(String s) {
    return s != null && s.length() == 32 && CHALLENGE.matcher(s).matches();
  }
}
