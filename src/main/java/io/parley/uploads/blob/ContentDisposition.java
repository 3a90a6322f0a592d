package io.parley.uploads.blob;

import java.nio.charset.StandardCharsets;

/**
 * {@code Content-Disposition: attachment} with the user's file name (RFC 6266): a plain-ASCII
 * {@code filename} for old clients and the exact name as {@code filename*} (RFC 5987/8187 UTF-8
 * percent-encoding).
 */
public final class ContentDisposition {
  private ContentDisposition() {}

  public static String attachment(String name) {
    // names are checked when uploads start (FileNames); records from before that check may still
    // hold direction-changing or invisible characters: they never reach a client
    String filename =
        name.codePoints()
            .filter(cp -> Character.getType(cp) != Character.FORMAT)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
    StringBuilder ascii = new StringBuilder();
    filename
        .codePoints()
        .forEach(
            cp -> {
              boolean plain = cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\' && cp != '%';
              ascii.append(plain ? (char) cp : '_');
            });
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encode(filename);
  }

  /** RFC 5987 {@code value-chars}: attr-chars as they are, every other byte as %XX. */
  static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "!#$&+-.^_`|~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
