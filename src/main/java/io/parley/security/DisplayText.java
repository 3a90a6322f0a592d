package io.parley.security;

/**
 * Text other people are shown as a name (user names, device names, group titles, file names) must
 * read as what it is. Refused: control characters, bidi controls (U+202E turns "gpj.exe" into
 * "exe.jpg" on screen), zero-width and other invisible format characters, fillers that render as
 * nothing, lone surrogates, private-use and unassigned code points. Letters of every script are
 * fine, right-to-left ones included.
 */
public final class DisplayText {
  private DisplayText() {}

  /** Whether {@code s} holds a character that hides, reorders or fakes what is shown. */
  public static boolean deceptive(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (deceptive(cp)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the code point hides, reorders or fakes what is shown. */
  public static boolean deceptive(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.SURROGATE
        || type == Character.PRIVATE_USE
        || type == Character.UNASSIGNED
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || cp == 0x115F
        || cp == 0x1160
        || cp == 0x3164
        || cp == 0xFFA0
        || cp == 0x2800
        || (cp >= 0xFE00 && cp <= 0xFE0F)
        || (cp >= 0xE0100 && cp <= 0xE01EF);
  }
}
