package io.parley.uploads;

import io.parley.security.DisplayText;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Checks the file names users give. Names are only shown (and sent back in {@code
 * Content-Disposition}); they never become paths or keys. Even so, a name that tries to be a path
 * (separators, {@code ..}, drive letters, NUL and other control characters, also percent-encoded)
 * is refused, so that no client is ever handed one.
 */
final class FileNames {
  private FileNames() {}

  static final int MAX_LENGTH = 255;

  /** Why the name is refused, or null when it is acceptable. */
  static String problem(String name) {
    if (name == null || name.isBlank()) {
      return "filename must not be empty";
    }
    if (name.codePointCount(0, name.length()) > MAX_LENGTH) {
      return "filename must be at most " + MAX_LENGTH + " characters";
    }
    String decoded = name;
    for (int round = 0; round < 3; round++) {
      String p = pathLike(decoded);
      if (p != null) {
        return p;
      }
      String next = percentDecode(decoded);
      if (next.equals(decoded)) {
        break;
      }
      decoded = next;
    }
    return pathLike(decoded);
  }

  private static String pathLike(String s) {
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      // control characters and line breaks get their own message below
      if (type != Character.CONTROL
          && type != Character.LINE_SEPARATOR
          && type != Character.PARAGRAPH_SEPARATOR
          && DisplayText.deceptive(cp)) {
        return "filename must not contain invisible or direction-changing characters";
      }
      if (cp > 0xFFFF) {
        continue;
      }
      char c = (char) cp;
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029') {
        return "filename must not contain control characters";
      }
      if (c == '/'
          || c == '\\'
          || c == '\u2215'
          || c == '\u2044'
          || c == '\uFF0F'
          || c == '\uFF3C') {
        return "filename must not contain path separators";
      }
      if (c == ':') {
        return "filename must not contain ':'";
      }
    }
    String t = s.strip();
    if (t.isEmpty() || t.chars().allMatch(ch -> ch == '.')) {
      return "filename must name a file";
    }
    return null;
  }

  /** %XX sequences decoded as UTF-8 bytes; anything else kept as it is. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] in = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length) {
        int hi = Character.digit(in[i + 1], 16);
        int lo = Character.digit(in[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          out.write(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      out.write(in[i]);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
