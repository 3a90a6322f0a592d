package io.parley.http;

import io.parley.bus.AuthApi.Caller;
import io.parley.bus.AuthApi.Client;
import io.vertx.ext.web.RoutingContext;

/** What the edge knows about a request: the client, and the signed-in caller. */
public final class Requests {
  public static final String USER_ID = "userId";
  public static final String SESSION_ID = "sessionId";
  private static final int MAX_USER_AGENT = 256;

  private Requests() {}

  /** The client's address and user agent. */
  public static Client client(RoutingContext rc) {
    String ua = rc.request().getHeader("User-Agent");
    ua = ua == null ? "" : ua.length() > MAX_USER_AGENT ? ua.substring(0, MAX_USER_AGENT) : ua;
    return new Client(address(rc), ua);
  }

  /**
   * The client's address: the socket's peer, or, behind a trusted reverse proxy, the address it
   * forwarded (see {@link ClientAddress}).
   */
  public static String address(RoutingContext rc) {
    String forwarded = rc.get(ClientAddress.ADDRESS);
    if (forwarded != null) {
      return forwarded;
    }
    var remote = rc.request().remoteAddress();
    return remote == null ? "" : remote.host();
  }

  /** Whether the client reached us over HTTPS (directly, or at a trusted proxy). */
  public static boolean secure(RoutingContext rc) {
    Boolean s = rc.get(ClientAddress.SECURE);
    return s != null ? s : rc.request().isSSL();
  }

  /** The caller set by {@link TokenAuth}. */
  public static Caller caller(RoutingContext rc) {
    return new Caller(rc.get(USER_ID), rc.get(SESSION_ID));
  }
}
