package io.parley.auth;

import io.parley.bus.Addresses;
import io.parley.bus.ApiException;
import io.parley.bus.AuthApi.Client;
import io.parley.bus.AuthApi.QrAction;
import io.parley.bus.AuthApi.QrCreated;
import io.parley.bus.AuthApi.QrPoll;
import io.parley.bus.AuthApi.QrRequester;
import io.parley.bus.AuthApi.QrStatus;
import io.parley.bus.AuthApi.QrUpdated;
import io.parley.bus.Failure;
import io.parley.config.ParleyConfig.AuthConfig;
import io.parley.ratelimit.RateLimiter;
import io.parley.ratelimit.RateLimiter.Limit;
import io.parley.security.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * QR device link: a new device (the requester) shows a QR code; a signed-in device scans it (and
 * sees who is asking), then approves; the requester, proving itself with a secret that never was in
 * the QR code, redeems the approval once for its own session and token.
 */
final class QrLinkService {
  /** The text inside the QR code: this prefix, then the challenge token. */
  static final String QR_PREFIX = "parley:link:";

  private static final int TOKEN_BYTES = 32;
  private static final int SECRET_BYTES = 32;

  private final Vertx vertx;
  private final AuthConfig cfg;
  private final QrChallengeRepository challenges;
  private final UserRepository users;
  private final AccountService accounts;
  private final RateLimiter limiter;
  private final Limit creations;
  private final Clock clock;

  QrLinkService(
      Vertx vertx,
      AuthConfig cfg,
      QrChallengeRepository challenges,
      UserRepository users,
      AccountService accounts,
      RateLimiter limiter,
      Clock clock) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.challenges = challenges;
    this.users = users;
    this.accounts = accounts;
    this.limiter = limiter;
    this.creations = new Limit("qr-create", cfg.qrCreateLimitPerMinute(), Duration.ofMinutes(1));
    this.clock = clock;
  }

  Future<JsonObject> create(Client requester) {
    return limiter
        .require(creations, requester.address(), "Too many QR codes requested")
        .compose(
            v -> {
              String token = Secrets.random(TOKEN_BYTES);
              String secret = Secrets.random(SECRET_BYTES);
              Instant now = clock.instant();
              Instant expiresAt = now.plusSeconds(cfg.qrTtlSeconds());
              return challenges
                  .create(token, Secrets.sha256(secret), requester, now, expiresAt)
                  .map(c -> new QrCreated(c.id(), QR_PREFIX + token, secret, expiresAt).toJson());
            });
  }

  /** The QR code's image, for its requester only (the code is a bearer credential). */
  Future<JsonObject> image(QrPoll p) {
    Instant now = clock.instant();
    return requested(p)
        .compose(c -> openAt(c, now))
        .map(c -> new JsonObject().put("svg", QrImage.svg(QR_PREFIX + c.token())));
  }

  Future<JsonObject> scan(QrAction a) {
    Instant now = clock.instant();
    return live(challenges.findByToken(token(a.qr())))
        .compose(
            c -> {
              if (c.used()) {
                return Future.failedFuture(used());
              }
              return challenges.markScanned(c.id(), a.caller().userId(), now);
            })
        .compose(
            c -> {
              if (c == null) {
                // lost a race, or another account scanned it first
                return Future.failedFuture(
                    new ApiException(
                        Failure.CONFLICT,
                        "qr_already_scanned",
                        "Another device already scanned this QR code"));
              }
              publish(c.id(), QrChallenge.SCANNED);
              return Future.succeededFuture(
                  new QrRequester(c.id(), c.requester(), c.createdAt(), c.expiresAt()).toJson());
            });
  }

  Future<JsonObject> approve(QrAction a) {
    String device = AccountService.deviceName(a.deviceName(), new Client("", ""));
    Instant now = clock.instant();
    return live(challenges.findByToken(token(a.qr())))
        .compose(
            c -> {
              if (c.used()) {
                return Future.failedFuture(used());
              }
              if (!QrChallenge.SCANNED.equals(c.status())
                  || !a.caller().userId().equals(c.scannedBy())) {
                return Future.failedFuture(
                    new ApiException(
                        Failure.CONFLICT,
                        "qr_not_scanned",
                        "Scan this QR code before approving it"));
              }
              return challenges.markApproved(c.id(), a.caller().userId(), device, now);
            })
        .compose(
            c -> {
              if (c == null) {
                return Future.failedFuture(used());
              }
              publish(c.id(), QrChallenge.APPROVED);
              return Future.succeededFuture(new JsonObject());
            });
  }

  /**
   * The requester asks, with its secret. An approved challenge is redeemed here, exactly once: the
   * new device's session is created and its token signed.
   */
  Future<JsonObject> poll(QrPoll p) {
    Instant now = clock.instant();
    return requested(p)
        .compose(c -> p.secretFromUrl() ? spendUrlSecret(c) : Future.succeededFuture(c))
        .compose(c -> openAt(c, now))
        .compose(
            c -> {
              if (!QrChallenge.APPROVED.equals(c.status())) {
                return Future.succeededFuture(
                    new QrStatus(c.status(), c.expiresAt(), c.scannedAt(), null).toJson());
              }
              return redeem(c, now);
            });
  }

  /**
   * The challenge, unless it was redeemed (410 qr_used) or has expired by {@code now} (410
   * qr_expired).
   */
  private static Future<QrChallenge> openAt(QrChallenge c, Instant now) {
    if (QrChallenge.REDEEMED.equals(c.status())) {
      return Future.failedFuture(used());
    }
    if (!c.liveAt(now)) {
      return Future.failedFuture(expired());
    }
    return Future.succeededFuture(c);
  }

  /**
   * Every read of a challenge goes through here: it exists (404 otherwise) and the caller holds its
   * requester secret (403 otherwise). The id alone opens nothing.
   */
  private Future<QrChallenge> requested(QrPoll p) {
    return challenges
        .findById(p.challengeId())
        .compose(
            c -> {
              if (c == null) {
                return Future.failedFuture(notFound());
              }
              String hash = Objects.requireNonNullElse(c.requesterSecretHash(), "");
              if (p.secret() == null
                  || p.secret().length() > 128
                  || !Secrets.matches(p.secret(), hash)) {
                return Future.failedFuture(
                    new ApiException(
                        Failure.FORBIDDEN,
                        "invalid_secret",
                        "The requester secret does not match"));
              }
              return Future.succeededFuture(c);
            });
  }

  /** The URL form of the secret ({@code ?secret=}) opens one wait stream per challenge. */
  private Future<QrChallenge> spendUrlSecret(QrChallenge c) {
    return challenges
        .markUrlSecretUsed(c.id())
        .compose(
            won ->
                won
                    ? Future.succeededFuture(c)
                    : Future.failedFuture(
                        new ApiException(
                            Failure.FORBIDDEN,
                            "secret_already_used",
                            "A secret in a URL works once; send it in the X-Requester-Secret"
                                + " header")));
  }

  private Future<JsonObject> redeem(QrChallenge c, Instant now) {
    return challenges
        .markRedeemed(c.id(), now)
        .compose(
            won -> {
              if (won == null) {
                return Future.failedFuture(used());
              }
              return users
                  .findById(won.approvedBy())
                  .compose(
                      user ->
                          user == null
                              ? Future.failedFuture(notFound())
                              : accounts.grant(user, won.deviceName(), won.requester()))
                  .compose(
                      grant ->
                          challenges
                              .recordSession(won.id(), grant.session().id())
                              .map(
                                  v ->
                                      new QrStatus(
                                              QrChallenge.APPROVED,
                                              won.expiresAt(),
                                              won.scannedAt(),
                                              grant)
                                          .toJson()));
            });
  }

  Future<Long> cleanUp() {
    // keep expired challenges a little while so late callers get "expired" rather than "not found"
    return challenges.deleteExpired(clock.instant().minus(Duration.ofMinutes(10)));
  }

  /** Finds a challenge that exists and has not expired, or fails with 404 / 410. */
  private Future<QrChallenge> live(Future<QrChallenge> lookup) {
    Instant now = clock.instant();
    return lookup.compose(
        c -> {
          if (c == null) {
            return Future.failedFuture(notFound());
          }
          if (!c.liveAt(now)) {
            return Future.failedFuture(expired());
          }
          return Future.succeededFuture(c);
        });
  }

  private void publish(String challengeId, String status) {
    vertx.eventBus().publish(Addresses.QR_UPDATED, new QrUpdated(challengeId, status).toJson());
  }

  /** The token inside QR text; the bare token is accepted too. */
  static String token(String qr) {
    if (qr == null) {
      return "";
    }
    String t = qr.startsWith(QR_PREFIX) ? qr.substring(QR_PREFIX.length()) : qr;
    return t.length() > 128 ? "" : t;
  }

  private static ApiException notFound() {
    return new ApiException(Failure.NOT_FOUND, "qr_not_found", "No such QR code");
  }

  private static ApiException expired() {
    return new ApiException(Failure.GONE, "qr_expired", "This QR code has expired");
  }

  private static ApiException used() {
    return new ApiException(Failure.GONE, "qr_used", "This QR code was already used");
  }
}
