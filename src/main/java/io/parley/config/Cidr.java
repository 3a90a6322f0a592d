package io.parley.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 address block ({@code 10.0.0.0/8}, {@code ::1/128}); a bare address is a block of
 * one. Only literal addresses are accepted: a host name would need a DNS look-up on every check.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /**
   * Parses {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  public static Cidr parse(String s) {
    String value = s.trim();
    int slash = value.indexOf('/');
    String addr = slash < 0 ? value : value.substring(0, slash);
    byte[] bytes = literal(addr);
    if (bytes == null) {
      throw new IllegalArgumentException("\"" + s + "\" is not an IP address or CIDR block");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(value.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("\"" + s + "\" has a prefix length outside 0.." + bits);
      }
    }
    return new Cidr(mask(bytes, prefix), prefix, value);
  }

  /** Whether {@code address} (a literal IP; anything else never matches) is in this block. */
  public boolean contains(String address) {
    byte[] bytes = literal(address);
    if (bytes == null) {
      return false;
    }
    if (bytes.length != network.length) {
      // an IPv4 peer may show up as an IPv4-mapped IPv6 address and vice versa
      bytes = bytes.length == 16 && network.length == 4 ? unmapped(bytes) : null;
      if (bytes == null) {
        return false;
      }
    }
    return Arrays.equals(mask(bytes, prefix), network);
  }

  @Override
  public String toString() {
    return text;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (keep == 0 ? 0 : (0xFF << (8 - keep)));
    }
    return out;
  }

  private static byte[] unmapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return null;
      }
    }
    if (v6[10] != (byte) 0xFF || v6[11] != (byte) 0xFF) {
      return null;
    }
    return Arrays.copyOfRange(v6, 12, 16);
  }

  /** The bytes of a literal IPv4/IPv6 address, or null for anything else (never resolves). */
  static byte[] literal(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    String a = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    boolean v4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = a.indexOf(':') >= 0 && a.matches("[0-9a-fA-F:.%a-zA-Z0-9]+");
    if (!v4 && !v6) {
      return null;
    }
    if (v4) {
      for (String part : a.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
    }
    try {
      // a literal is parsed without a look-up
      return InetAddress.getByName(a).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }
}
