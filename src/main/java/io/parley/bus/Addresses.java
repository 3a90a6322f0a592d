package io.parley.bus;

/**
 * Every event-bus address, named by owner and verb. docs/event-bus.md lists each with its request,
 * reply and failures; keep the two in step.
 */
public final class Addresses {
  private Addresses() {}

  // --- health: request {} -> HealthReport ---------------------------------------------------
  /** The persistence verticle pings MongoDB. */
  public static final String PERSISTENCE_HEALTH = "parley.persistence.health";

  /** The auth verticle pings MongoDB. */
  public static final String AUTH_HEALTH = "parley.auth.health";

  /** The uploads verticle checks its blob store. */
  public static final String UPLOADS_HEALTH = "parley.uploads.health";

  // --- real time -----------------------------------------------------------------------------
  /** Published (never sent) by writers after each committed change; body {@link ChatEvent}. */
  public static final String EVENTS = "parley.events";
}
