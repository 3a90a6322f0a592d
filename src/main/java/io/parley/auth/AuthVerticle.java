package io.parley.auth;

import io.parley.NodeContext;
import io.parley.bus.Addresses;
import io.parley.bus.AuthApi.Caller;
import io.parley.bus.AuthApi.Client;
import io.parley.bus.AuthApi.Login;
import io.parley.bus.AuthApi.Lookup;
import io.parley.bus.AuthApi.QrAction;
import io.parley.bus.AuthApi.QrPoll;
import io.parley.bus.AuthApi.Register;
import io.parley.bus.AuthApi.ResolveUsers;
import io.parley.bus.AuthApi.RevokeSession;
import io.parley.bus.AuthApi.SessionCheck;
import io.parley.bus.AuthApi.UpdateUser;
import io.parley.bus.BusService;
import io.parley.mongo.DatabaseVerticle;
import io.parley.mongo.MongoSupport;
import io.parley.mongo.MongoSupport.Index;
import io.parley.security.Jwt;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.mongo.MongoClient;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Owns users, sessions and QR device-link challenges; signs tokens. */
public final class AuthVerticle extends DatabaseVerticle {
  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);

  /** Every collection's indexes, as its repository defines them. */
  static final List<Index> INDEXES =
      Stream.of(
              UserRepository.INDEXES,
              SessionRepository.INDEXES,
              QrChallengeRepository.INDEXES,
              StreamTicketRepository.INDEXES)
          .flatMap(List::stream)
          .toList();

  private WorkerExecutor hashing;

  public AuthVerticle(NodeContext ctx) {
    super(ctx);
  }

  @Override
  protected Future<?> serve(MongoClient mongo) {
    // Argon2 runs here, off the event loop; one thread per core bounds its CPU and memory.
    hashing =
        vertx.createSharedWorkerExecutor(
            "parley-password-hashing", Math.max(2, Runtime.getRuntime().availableProcessors()));
    // MongoDB keeps milliseconds: replies made from the clock match what is read back later
    Clock clock = Clock.tickMillis(java.time.ZoneOffset.UTC);
    UserRepository users = new UserRepository(mongo);
    SessionRepository sessions = new SessionRepository(mongo);
    AccountService accounts =
        new AccountService(
            vertx,
            ctx,
            users,
            sessions,
            new PasswordHasher(),
            hashing,
            Jwt.provider(vertx, ctx.config().jwt(), true),
            clock);
    QrLinkService qr =
        new QrLinkService(
            vertx,
            ctx.config().auth(),
            new QrChallengeRepository(mongo),
            users,
            accounts,
            ctx.rateLimiter(),
            clock);

    StreamTicketService tickets =
        new StreamTicketService(
            new StreamTicketRepository(mongo), ctx.config().sse().ticketTtlSeconds(), clock);

    BusService.Registrations served = BusService.registrations(vertx);
    served.serve(Addresses.AUTH_HEALTH, req -> databaseHealth());
    served.serve(Addresses.AUTH_REGISTER, req -> accounts.register(Register.fromJson(req)));
    served.serve(Addresses.AUTH_LOGIN, req -> accounts.login(Login.fromJson(req)));
    served.serve(Addresses.AUTH_LOGOUT, req -> accounts.logout(Caller.fromJson(req)));
    served.serve(Addresses.AUTH_LOGOUT_ALL, req -> accounts.logoutAll(Caller.fromJson(req)));
    served.serve(Addresses.SESSIONS_LIST, req -> accounts.list(Caller.fromJson(req)));
    served.serve(Addresses.SESSIONS_REVOKE, req -> accounts.revoke(RevokeSession.fromJson(req)));
    served.serve(Addresses.SESSIONS_CHECK, req -> accounts.check(SessionCheck.fromJson(req)));
    served.serve(Addresses.USERS_ME, req -> accounts.me(Caller.fromJson(req)));
    served.serve(Addresses.USERS_UPDATE, req -> accounts.update(UpdateUser.fromJson(req)));
    served.serve(Addresses.USERS_LOOKUP, req -> accounts.lookup(Lookup.fromJson(req)));
    served.serve(Addresses.USERS_RESOLVE, req -> accounts.resolve(ResolveUsers.fromJson(req)));
    served.serve(Addresses.QR_CREATE, req -> qr.create(Client.fromJson(req)));
    served.serve(Addresses.QR_IMAGE, req -> qr.image(QrPoll.fromJson(req)));
    served.serve(Addresses.QR_SCAN, req -> qr.scan(QrAction.fromJson(req)));
    served.serve(Addresses.QR_APPROVE, req -> qr.approve(QrAction.fromJson(req)));
    served.serve(Addresses.QR_POLL, req -> qr.poll(QrPoll.fromJson(req)));
    served.serve(Addresses.SSE_TICKET_CREATE, req -> tickets.create(Caller.fromJson(req)));
    served.serve(Addresses.SSE_TICKET_REDEEM, tickets::redeem);

    // MongoDB's TTL index removes expired challenges; the embedded database ignores TTL, and
    // expiry is enforced in code either way. This sweep keeps the collection small everywhere.
    every(
        60_000,
        "the clean-up of QR challenges, stream tickets and sessions",
        () ->
            qr.cleanUp()
                .compose(n -> tickets.cleanUp())
                // ended sessions stay a month (the devices page and audits), then go
                .compose(
                    n ->
                        sessions.deleteEndedBefore(
                            clock.instant().minus(java.time.Duration.ofDays(30))))
                .onSuccess(
                    n -> LOG.debug("removed expired QR challenges, stream tickets and sessions")));

    return MongoSupport.ensureIndexes(mongo, INDEXES).compose(v -> served.completion());
  }

  @Override
  protected void release() {
    if (hashing != null) {
      hashing.close();
    }
  }
}
