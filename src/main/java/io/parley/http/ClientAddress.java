package io.parley.http;

import io.parley.config.ParleyConfig.ProxyConfig;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * Works out who the client is and whether it reached us over HTTPS, believing {@code
 * X-Forwarded-For} and {@code X-Forwarded-Proto} only from trusted proxies ({@code
 * http.trustedProxies}). The client is the right-most address in {@code X-Forwarded-For} that is
 * not itself a trusted proxy: entries to its left were written by the client and can be forged.
 */
final class ClientAddress implements Handler<RoutingContext> {
  static final String ADDRESS = "clientAddress";
  static final String SECURE = "clientSecure";
  private static final int MAX_HOPS = 32;

  private final ProxyConfig proxies;

  ClientAddress(ProxyConfig proxies) {
    this.proxies = proxies;
  }

  @Override
  public void handle(RoutingContext rc) {
    var remote = rc.request().remoteAddress();
    String peer = remote == null ? "" : remote.host();
    String address = peer;
    boolean secure = rc.request().isSSL();
    if (!proxies.trusted().isEmpty() && proxies.trusts(peer)) {
      address = forwardedClient(peer, rc.request().headers().getAll("X-Forwarded-For"));
      String proto = rc.request().getHeader("X-Forwarded-Proto");
      if (proto != null && !proto.isBlank()) {
        // the proxy nearest to us writes the last value
        String[] protos = proto.split(",");
        secure = protos[protos.length - 1].trim().toLowerCase(Locale.ROOT).equals("https");
      }
    }
    rc.put(ADDRESS, address);
    rc.put(SECURE, secure);
    rc.next();
  }

  private String forwardedClient(String peer, java.util.List<String> headers) {
    String candidate = peer;
    // all X-Forwarded-For headers form one list, in order
    String joined = String.join(",", headers);
    String[] hops = joined.isBlank() ? new String[0] : joined.split(",");
    int seen = 0;
    for (int i = hops.length - 1; i >= 0 && seen < MAX_HOPS; i--, seen++) {
      String hop = stripPort(hops[i].trim());
      if (hop.isEmpty()) {
        continue;
      }
      candidate = hop;
      if (!proxies.trusts(hop)) {
        return hop;
      }
    }
    return candidate;
  }

  /** {@code 1.2.3.4:5678} → {@code 1.2.3.4}; {@code [::1]:80} → {@code ::1}; IPv6 stays. */
  static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int end = hop.indexOf(']');
      return end > 0 ? hop.substring(1, end) : hop;
    }
    int colon = hop.indexOf(':');
    if (colon > 0 && colon == hop.lastIndexOf(':')) {
      return hop.substring(0, colon);
    }
    return hop;
  }
}
