package io.parley.config;

/** Removes credentials from values before they reach a log line. */
public final class Redact {
  private Redact() {}

  /** {@code mongodb://user:pw@host/db} becomes {@code mongodb://***@host/db}. */
  public static String uri(String uri) {
    if (uri == null) {
      return null;
    }
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return uri;
    }
    return uri.substring(0, scheme + 3) + "***" + uri.substring(at);
  }
}
