package dev.rosetta.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to tenants or keys, kept in the store beside the change itself.
 *
 * @param id unique, ordered by time
 * @param actor who made it: the admin API caller's address, or {@code config}
 * @param action {@code create}, {@code update}, {@code delete}, {@code rotate}, ...
 * @param entityType {@code tenant} or {@code key}
 * @param entityId the tenant's name or the key's id
 * @param detail what changed, as JSON text; never a secret
 */
public record AuditEvent(String id, Instant at, String actor, String action, String entityType, String entityId,
                         String detail) {

    public AuditEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(entityType, "entityType");
        Objects.requireNonNull(entityId, "entityId");
        Objects.requireNonNull(detail, "detail");
    }
}
