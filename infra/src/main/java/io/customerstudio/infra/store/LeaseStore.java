package io.customerstudio.infra.store;

import static io.customerstudio.infra.store.jooq.Tables.DELIVERY_LEASE;

import java.time.Duration;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Leases on delivery scopes (a sync run's batches, a journey send), kept in the app store with the
 * database's clock, so every worker agrees on when one expires. A holder takes a free or expired
 * lease, renews it while it works and releases it when done; nobody else can take it before it
 * expires. Every method is one statement.
 */
public class LeaseStore {

  private final DSLContext db;

  public LeaseStore(DSLContext db) {
    this.db = db;
  }

  /** Takes the lease if it is free, expired or already this holder's; true when held now. */
  public boolean acquire(String scope, String holder, Duration ttl) {
    return db.insertInto(DELIVERY_LEASE)
            .set(DELIVERY_LEASE.SCOPE, scope)
            .set(DELIVERY_LEASE.HOLDER, holder)
            .set(DELIVERY_LEASE.EXPIRES_AT, expiry(ttl))
            .onConflict(DELIVERY_LEASE.SCOPE)
            .doUpdate()
            .set(DELIVERY_LEASE.HOLDER, holder)
            .set(DELIVERY_LEASE.EXPIRES_AT, expiry(ttl))
            .where(
                DELIVERY_LEASE
                    .EXPIRES_AT
                    .lt(DSL.currentOffsetDateTime())
                    .or(DELIVERY_LEASE.HOLDER.eq(holder)))
            .execute()
        == 1;
  }

  /** Extends the holder's lease; false when it is no longer the holder's (it expired and went). */
  public boolean renew(String scope, String holder, Duration ttl) {
    return db.update(DELIVERY_LEASE)
            .set(DELIVERY_LEASE.EXPIRES_AT, expiry(ttl))
            .where(DELIVERY_LEASE.SCOPE.eq(scope), DELIVERY_LEASE.HOLDER.eq(holder))
            .execute()
        == 1;
  }

  /** Gives the lease up, if the holder still has it. */
  public void release(String scope, String holder) {
    db.deleteFrom(DELIVERY_LEASE)
        .where(DELIVERY_LEASE.SCOPE.eq(scope), DELIVERY_LEASE.HOLDER.eq(holder))
        .execute();
  }

  private static Field<java.time.OffsetDateTime> expiry(Duration ttl) {
    return DSL.field(
        "{0} + make_interval(secs => {1})",
        SQLDataType.TIMESTAMPWITHTIMEZONE,
        DSL.currentOffsetDateTime(),
        DSL.val(ttl.toMillis() / 1000.0));
  }
}
