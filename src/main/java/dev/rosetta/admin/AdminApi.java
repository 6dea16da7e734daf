package dev.rosetta.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.auth.ApiKey;
import dev.rosetta.auth.FailedAuthThrottle;
import dev.rosetta.auth.KeySecret;
import dev.rosetta.auth.KeySnapshot;
import dev.rosetta.auth.ModelPatterns;
import dev.rosetta.auth.Tenant;
import dev.rosetta.config.LimitsReader;
import dev.rosetta.config.Secret;
import dev.rosetta.config.Units;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.limits.LimitPolicy;
import dev.rosetta.limits.Limits;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.Replies;
import dev.rosetta.store.AuditEvent;
import dev.rosetta.store.KeyService;
import dev.rosetta.store.KeyStore;
import dev.rosetta.store.StoreException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * The admin API under {@code /admin/v1} (JSON; {@code Authorization: Bearer <admin_key>}): tenants,
 * keys (a new secret is returned once, at creation or rotation), revocation, rotation with grace, and
 * the audit trail. The one way to change keys at runtime: every change goes to the store with its
 * audit event, then this replica reloads at once and the others within a poll.
 *
 * <p>Reads come from the current snapshot (declared and stored entities alike); a change reads and
 * writes the store on its thread. Declared tenants and keys are read-only here. Runs on the request's
 * event loop and never blocks it: store work returns futures, answered back on the same context.
 */
public final class AdminApi {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final String PREFIX = "/admin/v1/";

    /** @param csv a CSV body to send instead of the JSON one */
    private record Reply(int status, JsonNode body, Optional<String> csv) {
        Reply(int status, JsonNode body) {
            this(status, body, Optional.empty());
        }
    }

    /** The OpenAPI 3.1 description of this API, served at {@code /admin/v1/openapi.json}. */
    private static final JsonNode OPENAPI = openApi();

    private static JsonNode openApi() {
        try (var in = AdminApi.class.getResourceAsStream("/admin/openapi.json")) {
            return AdminJson.JSON.readTree(in);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("the admin API's OpenAPI description is missing from the jar", e);
        }
    }

    private final KeyService keys;
    private final Optional<byte[]> adminKeyHash;
    private final FailedAuthThrottle throttle;
    private final Clock clock;
    private final Random random;
    private final Replies replies;
    private final Optional<Ledger> ledger;
    private final Optional<UsageApi> usage;
    private Optional<dev.rosetta.budget.LiveState> live = Optional.empty();
    private Optional<Playground> playground = Optional.empty();

    public AdminApi(KeyService keys, Optional<Secret> adminKey, FailedAuthThrottle throttle, Clock clock, Random random,
                    Replies replies) {
        this(keys, adminKey, throttle, clock, random, replies, Optional.empty());
    }

    /** @param random a {@link java.security.SecureRandom} outside tests: it makes the key secrets */
    public AdminApi(KeyService keys, Optional<Secret> adminKey, FailedAuthThrottle throttle, Clock clock, Random random,
                    Replies replies, Optional<Ledger> ledger) {
        this.ledger = ledger;
        this.usage = ledger.map(l -> new UsageApi(l, clock));
        this.keys = keys;
        this.adminKeyHash = adminKey.map(k -> sha256(k.value()));
        this.throttle = throttle;
        this.clock = clock;
        this.random = random;
        this.replies = replies;
    }

    /** Shows each key's and tenant's budget and limit state from {@code state} on {@code GET}. */
    public AdminApi withLiveState(dev.rosetta.budget.LiveState state) {
        this.live = Optional.of(state);
        return this;
    }

    /** {@code reply}'s body with the live budget and limit state of the key or tenant it shows. */
    private CompletableFuture<Reply> withLive(String kind, String id, dev.rosetta.limits.LimitPolicy policy,
                                              CompletableFuture<Reply> reply) {
        if (live.isEmpty() || policy.none()) {
            return reply;
        }
        return reply.thenCombine(live.get().of(kind, id, policy), (r, state) -> {
            ((ObjectNode) r.body()).setAll(state);
            return r;
        });
    }

    /** Serves {@code POST /admin/v1/playground} with {@code p}. */
    public AdminApi withPlayground(Playground p) {
        playground = Optional.of(p);
        return this;
    }

    public void handle(Exchange ex, byte[] body) {
        Context ctx = Vertx.currentContext();
        CompletableFuture<Reply> reply;
        try {
            authorize(ex);
            reply = route(ex, body);
        } catch (AdminError e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, err) -> ctx.runOnContext(v -> send(ex, r, err)));
    }

    /**
     * What {@code GET /ready} adds about the keys: nothing while the store answers; when it does not, a
     * note that the last snapshot is serving; empty-handed (no snapshot at all), the replica is not
     * ready, since every request would get 503.
     *
     * @return the HTTP status and the body for {@code /ready} when the keys change the answer
     */
    public Optional<java.util.Map.Entry<Integer, byte[]>> readiness() {
        Optional<String> ledgerProblem = ledger.flatMap(Ledger::problem);
        if (keys.sync().healthy() && ledgerProblem.isEmpty()) {
            return Optional.empty();
        }
        boolean loaded = keys.ring().current().isPresent();
        ObjectNode o = AdminJson.JSON.createObjectNode().put("status", loaded ? "ready" : "not_ready");
        if (!keys.sync().healthy()) {
            o.put("keys", loaded ? "the key store is unavailable; serving the last snapshot of keys"
                    : "no keys loaded yet: the key store is unavailable");
            o.put("store_error", keys.sync().problem());
        }
        // A ledger spooling or losing records leaves the replica serving: the note is for whoever watches.
        ledgerProblem.ifPresent(p -> o.put("ledger", p));
        return Optional.of(java.util.Map.entry(loaded ? 200 : 503, AdminJson.bytes(o)));
    }

    private void authorize(Exchange ex) {
        String address = ex.request().remoteAddress().hostAddress();
        long wait = throttle.waitMillis(address);
        if (wait > 0) {
            ex.response().putHeader("retry-after", Long.toString(Math.max(1, (wait + 999) / 1000)));
            throw AdminError.throttled("too many failed authentications from this address");
        }
        if (adminKeyHash.isEmpty()) {
            throw AdminError.unauthorized("the admin API is off: set admin_key in the configuration");
        }
        String auth = ex.request().getHeader("authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : "";
        // Both sides hashed first: equal lengths, so the comparison's time says nothing about the key.
        if (presented.isEmpty() || !MessageDigest.isEqual(sha256(presented), adminKeyHash.get())) {
            throttle.failed(address);
            throw AdminError.unauthorized(presented.isEmpty() ? "missing admin key (Authorization: Bearer <admin_key>)"
                    : "invalid admin key");
        }
    }

    private CompletableFuture<Reply> route(Exchange ex, byte[] raw) {
        String path = ex.request().path();
        HttpMethod m = ex.request().method();
        if (!path.startsWith(PREFIX)) {
            throw AdminError.notFound("no such admin endpoint: " + m + " " + path);
        }
        String[] seg = path.substring(PREFIX.length()).split("/", -1);
        String actor = ex.request().remoteAddress().hostAddress();
        switch (seg[0]) {
            case "tenants" -> {
                if (seg.length == 1 && m == HttpMethod.GET) {
                    return done(200, AdminJson.list(snapshot().tenants().stream()
                            .sorted(Comparator.comparing(Tenant::name)).map(AdminJson::tenant).toList()));
                }
                if (seg.length == 1 && m == HttpMethod.POST) {
                    return createTenant(AdminJson.body(raw), actor);
                }
                if (seg.length == 2 && m == HttpMethod.GET) {
                    Tenant t = snapshot().tenant(seg[1])
                            .orElseThrow(() -> AdminError.notFound("no tenant \"" + seg[1] + "\""));
                    return withLive("tenant", t.name(), t.limits(), done(200, AdminJson.tenant(t)));
                }
                if (seg.length == 2 && m == HttpMethod.PATCH) {
                    return updateTenant(seg[1], AdminJson.body(raw), actor);
                }
                if (seg.length == 2 && m == HttpMethod.DELETE) {
                    return deleteTenant(seg[1], actor);
                }
            }
            case "keys" -> {
                if (seg.length == 1 && m == HttpMethod.GET) {
                    String tenant = ex.request().getParam("tenant");
                    List<ApiKey> listed = snapshot().keys().stream()
                            .filter(k -> tenant == null || k.tenant().equals(tenant)).toList();
                    return withLastUse(used -> AdminJson.list(listed.stream().map(k -> keyJson(k, used)).toList()));
                }
                if (seg.length == 1 && m == HttpMethod.POST) {
                    return createKey(AdminJson.body(raw), actor);
                }
                if (seg.length == 2 && m == HttpMethod.GET) {
                    ApiKey k = findKey(seg[1]);
                    return withLive("key", k.id(), k.limits(), withLastUse(used -> keyJson(k, used)));
                }
                if (seg.length == 2 && m == HttpMethod.PATCH) {
                    return updateKey(seg[1], AdminJson.body(raw), actor);
                }
                if (seg.length == 2 && m == HttpMethod.DELETE) {
                    return revokeKey(seg[1], actor);
                }
                if (seg.length == 3 && seg[2].equals("rotate") && m == HttpMethod.POST) {
                    return rotateKey(seg[1], AdminJson.body(raw), actor);
                }
            }
            case "usage" -> {
                if (usage.isPresent() && m == HttpMethod.GET && (seg.length == 1
                        || seg.length == 2 && seg[1].equals("requests"))) {
                    var answer = seg.length == 1 ? usage.get().aggregate(ex.request()) : usage.get().requests(ex.request());
                    return answer.thenApply(a -> new Reply(200, a.json(), a.csv()));
                }
            }
            case "playground" -> {
                if (playground.isPresent() && seg.length == 1 && m == HttpMethod.POST) {
                    return playground.get().run(AdminJson.body(raw)).thenApply(a -> new Reply(200, a));
                }
            }
            case "openapi.json" -> {
                if (seg.length == 1 && m == HttpMethod.GET) {
                    return done(200, OPENAPI);
                }
            }
            case "audit" -> {
                if (seg.length == 1 && m == HttpMethod.GET) {
                    int limit = limit(ex.request().getParam("limit"));
                    return keys.thread().call(s -> s.audit(limit)).thenApply(events ->
                            new Reply(200, AdminJson.list(events.stream().map(AdminJson::audit).toList())));
                }
            }
            default -> {
            }
        }
        throw AdminError.notFound("no such admin endpoint: " + m + " " + path);
    }

    // ---------------------------------------------------------------- tenants

    private CompletableFuture<Reply> createTenant(ObjectNode body, String actor) {
        AdminJson.onlyFields(body, "name", "models", "metadata", "disabled", "passthrough", "limits", "model_limits", "budget");
        LimitPolicy limits = limits(body, LimitPolicy.NONE);
        String name = AdminJson.string(body, "name").orElseThrow(() -> AdminError.invalid("name: required"));
        checkName(name);
        if (snapshot().tenant(name).filter(Tenant::declared).isPresent()) {
            throw AdminError.conflict("tenant \"" + name + "\" is declared in the configuration file");
        }
        Tenant t = new Tenant(name, AdminJson.models(body).orElse(ModelPatterns.ALL),
                AdminJson.metadata(body).orElse(java.util.Map.of()), AdminJson.bool(body, "disabled").orElse(false), false,
                AdminJson.bool(body, "passthrough").orElse(false), limits);
        AuditEvent audit = audit(actor, "create", "tenant", name, body);
        return change(s -> {
            s.createTenant(t, audit);
            return new Reply(201, AdminJson.tenant(t));
        });
    }

    private CompletableFuture<Reply> updateTenant(String name, ObjectNode body, String actor) {
        AdminJson.onlyFields(body, "models", "metadata", "disabled", "passthrough", "limits", "model_limits", "budget");
        limits(body, LimitPolicy.NONE);
        rejectDeclaredTenant(name);
        Optional<ModelPatterns> models = AdminJson.models(body);
        var metadata = AdminJson.metadata(body);
        Optional<Boolean> disabled = AdminJson.bool(body, "disabled");
        Optional<Boolean> passthrough = AdminJson.bool(body, "passthrough");
        AuditEvent audit = audit(actor, "update", "tenant", name, body);
        return change(s -> {
            Tenant cur = s.tenant(name).orElseThrow(() -> AdminError.notFound("no tenant \"" + name + "\""));
            Tenant next = new Tenant(name, models.orElse(cur.models()), metadata.orElse(cur.metadata()),
                    disabled.orElse(cur.disabled()), false, passthrough.orElse(cur.passthrough()),
                    limits(body, cur.limits()));
            s.updateTenant(next, audit);
            return new Reply(200, AdminJson.tenant(next));
        });
    }

    private CompletableFuture<Reply> deleteTenant(String name, String actor) {
        rejectDeclaredTenant(name);
        AuditEvent audit = audit(actor, "delete", "tenant", name, AdminJson.JSON.createObjectNode());
        return change(s -> {
            if (!s.deleteTenant(name, audit)) {
                throw AdminError.notFound("no tenant \"" + name + "\"");
            }
            return new Reply(204, null);
        });
    }

    private void rejectDeclaredTenant(String name) {
        if (snapshot().tenant(name).filter(Tenant::declared).isPresent()) {
            throw AdminError.readOnly("tenant \"" + name + "\"");
        }
    }

    // ---------------------------------------------------------------- keys

    private CompletableFuture<Reply> createKey(ObjectNode body, String actor) {
        AdminJson.onlyFields(body, "tenant", "name", "models", "expires_at", "metadata", "passthrough", "limits",
                "model_limits", "budget");
        LimitPolicy limits = limits(body, LimitPolicy.NONE);
        String tenantName = AdminJson.string(body, "tenant").orElseThrow(() -> AdminError.invalid("tenant: required"));
        String name = AdminJson.string(body, "name").orElseThrow(() -> AdminError.invalid("name: required"));
        checkName(name);
        Tenant tenant = snapshot().tenant(tenantName)
                .orElseThrow(() -> AdminError.invalid("tenant: no tenant \"" + tenantName + "\""));
        ModelPatterns models = AdminJson.models(body).orElse(ModelPatterns.ALL);
        checkNarrows(tenant, models);
        String secret = KeySecret.generate(random);
        ApiKey k = new ApiKey(newId("key_"), name, tenantName, KeySecret.visiblePrefix(secret), KeySecret.hash(secret),
                models, AdminJson.expiresAt(body).flatMap(e -> e), false, AdminJson.metadata(body).orElse(java.util.Map.of()),
                clock.instant(), false, Optional.empty(), AdminJson.bool(body, "passthrough").orElse(true), limits);
        AuditEvent audit = audit(actor, "create", "key", k.id(), body);
        return change(s -> {
            s.createKey(k, audit);
            return new Reply(201, withSecret(k, secret));
        });
    }

    private CompletableFuture<Reply> updateKey(String id, ObjectNode body, String actor) {
        AdminJson.onlyFields(body, "name", "models", "expires_at", "disabled", "metadata", "passthrough", "limits",
                "model_limits", "budget");
        limits(body, LimitPolicy.NONE);
        rejectDeclaredKey(id);
        Optional<String> name = AdminJson.string(body, "name");
        name.ifPresent(AdminApi::checkName);
        Optional<ModelPatterns> models = AdminJson.models(body);
        var expires = AdminJson.expiresAt(body);
        Optional<Boolean> disabled = AdminJson.bool(body, "disabled");
        Optional<Boolean> passthrough = AdminJson.bool(body, "passthrough");
        var metadata = AdminJson.metadata(body);
        models.ifPresent(ms -> snapshot().keys().stream().filter(k -> k.id().equals(id)).findFirst()
                .flatMap(k -> snapshot().tenant(k.tenant())).ifPresent(t -> checkNarrows(t, ms)));
        AuditEvent audit = audit(actor, "update", "key", id, body);
        return change(s -> {
            ApiKey cur = s.key(id).orElseThrow(() -> AdminError.notFound("no key " + id));
            ApiKey next = new ApiKey(id, name.orElse(cur.name()), cur.tenant(), cur.prefix(), cur.hash(),
                    models.orElse(cur.models()), expires.orElse(cur.expiresAt()), disabled.orElse(cur.disabled()),
                    metadata.orElse(cur.metadata()), cur.createdAt(), false, cur.previous(),
                    passthrough.orElse(cur.passthrough()), limits(body, cur.limits()));
            s.updateKey(next, audit);
            return new Reply(200, AdminJson.key(next));
        });
    }

    /**
     * {@code limits}, {@code model_limits} and {@code budget} of a request body over {@code current}: a field given
     * replaces that part ({@code null} or {@code {}} removes it), a field absent keeps it.
     */
    private static LimitPolicy limits(ObjectNode body, LimitPolicy current) {
        List<String> problems = new ArrayList<>();
        LimitPolicy given = LimitsReader.policy(body, "", problems::add);
        if (!problems.isEmpty()) {
            throw AdminError.invalid(String.join("; ", problems));
        }
        Limits own = body.has("limits") ? given.limits() : current.limits();
        List<LimitPolicy.ModelLimit> models = body.has("model_limits") ? given.models() : current.models();
        var budget = body.has("budget") ? given.budget() : current.budget();
        return own.none() && models.isEmpty() && budget.isEmpty() ? LimitPolicy.NONE
                : new LimitPolicy(own, models, budget);
    }

    private CompletableFuture<Reply> revokeKey(String id, String actor) {
        rejectDeclaredKey(id);
        AuditEvent audit = audit(actor, "revoke", "key", id, AdminJson.JSON.createObjectNode());
        return change(s -> {
            if (!s.deleteKey(id, audit)) {
                throw AdminError.notFound("no key " + id);
            }
            return new Reply(204, null);
        });
    }

    private CompletableFuture<Reply> rotateKey(String id, ObjectNode body, String actor) {
        AdminJson.onlyFields(body, "grace");
        rejectDeclaredKey(id);
        Duration grace = AdminJson.string(body, "grace").map(g -> Units.parseDuration(g).orElseThrow(() ->
                AdminError.invalid("grace: expected a duration such as 1h, 30m or 0s"))).orElse(Duration.ZERO);
        String secret = KeySecret.generate(random);
        Instant now = clock.instant();
        AuditEvent audit = audit(actor, "rotate", "key", id, body);
        return change(s -> {
            ApiKey cur = s.key(id).orElseThrow(() -> AdminError.notFound("no key " + id));
            Optional<ApiKey.Previous> previous = grace.isZero() ? Optional.empty()
                    : Optional.of(new ApiKey.Previous(cur.hash(), now.plus(grace)));
            ApiKey next = new ApiKey(id, cur.name(), cur.tenant(), KeySecret.visiblePrefix(secret), KeySecret.hash(secret),
                    cur.models(), cur.expiresAt(), cur.disabled(), cur.metadata(), cur.createdAt(), false, previous,
                    cur.passthrough(), cur.limits());
            s.updateKey(next, audit);
            return new Reply(200, withSecret(next, secret));
        });
    }

    /** Answers 200 with {@code body} given when each key was last used: the store's times, and this replica's newer ones. */
    private CompletableFuture<Reply> withLastUse(java.util.function.Function<java.util.Map<String, Long>, JsonNode> body) {
        return keys.thread().call(KeyStore::lastUsed).thenApply(stored -> {
            java.util.Map<String, Long> used = new java.util.HashMap<>(stored);
            keys.lastUse().latest().forEach((id, t) -> used.merge(id, t, Math::max));
            return new Reply(200, body.apply(used));
        });
    }

    private static ObjectNode keyJson(ApiKey k, java.util.Map<String, Long> used) {
        ObjectNode o = AdminJson.key(k);
        Long t = used.get(k.id());
        if (t == null) {
            o.putNull("last_used_at");
        } else {
            o.put("last_used_at", Instant.ofEpochMilli(t).toString());
        }
        return o;
    }

    private ApiKey findKey(String id) {
        return snapshot().keys().stream().filter(k -> k.id().equals(id)).findFirst()
                .orElseThrow(() -> AdminError.notFound("no key " + id));
    }

    private void rejectDeclaredKey(String id) {
        snapshot().keys().stream().filter(k -> k.id().equals(id) && k.declared()).findFirst().ifPresent(k -> {
            throw AdminError.readOnly("key " + id);
        });
    }

    private static ObjectNode withSecret(ApiKey k, String secret) {
        ObjectNode o = AdminJson.key(k);
        o.put("key", secret);
        return o;
    }

    private static void checkNarrows(Tenant tenant, ModelPatterns models) {
        if (models.patterns().isEmpty()) {
            return;
        }
        for (String p : models.patterns().get()) {
            if (!tenant.models().covers(p)) {
                throw AdminError.invalid("models: \"" + p + "\" is not within tenant \"" + tenant.name() + "\"'s models "
                        + tenant.models() + " (a key can only narrow its tenant's models)");
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private KeySnapshot snapshot() {
        return keys.ring().current().orElseThrow(() -> AdminError.unavailable("the key store has not been loaded yet: "
                + keys.sync().problem()));
    }

    /** Runs a change on the store thread, then reloads this replica's snapshot before answering. */
    private CompletableFuture<Reply> change(java.util.function.Function<KeyStore, Reply> work) {
        return keys.thread().call(work).thenCompose(r -> keys.sync().refresh().thenApply(x -> r));
    }

    private static CompletableFuture<Reply> done(int status, JsonNode body) {
        return CompletableFuture.completedFuture(new Reply(status, body));
    }

    private AuditEvent audit(String actor, String action, String type, String id, ObjectNode detail) {
        Instant at = clock.instant();
        return new AuditEvent(newId("evt_" + Long.toString(at.toEpochMilli(), 36) + "_"), at, actor, action, type, id,
                detail.toString());
    }

    private String newId(String prefix) {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    private static void checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw AdminError.invalid("name: \"" + name + "\" must be 1-64 letters, digits, '.', '_' or '-', starting"
                    + " with a letter or digit");
        }
    }

    private static int limit(String s) {
        if (s == null) {
            return 100;
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw AdminError.invalid("limit: expected 1 to 1000");
    }

    private void send(Exchange ex, Reply r, Throwable err) {
        Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (e == null) {
            if (r.csv().isPresent()) {
                ex.response().putHeader("content-type", "text/csv; charset=utf-8")
                        .putHeader("x-rosetta-request-id", ex.requestId()).setStatusCode(r.status());
                ex.status(r.status());
                ex.markFirstByte();
                ex.response().end(r.csv().get());
                replies.finish(ex, r.status());
            } else if (r.body() == null) {
                ex.response().setStatusCode(r.status()).putHeader("x-rosetta-request-id", ex.requestId());
                ex.status(r.status());
                ex.response().end();
                replies.finish(ex, r.status());
            } else {
                replies.json(ex, r.status(), AdminJson.bytes(r.body()));
            }
            return;
        }
        AdminError a = switch (e) {
            case AdminError x -> x;
            case StoreException.Conflict x -> AdminError.conflict(x.getMessage());
            case StoreException x -> AdminError.unavailable("the key store is unavailable: " + x.getMessage());
            default -> null;
        };
        if (a == null) {
            org.slf4j.LoggerFactory.getLogger(AdminApi.class).error("admin API failure on {}", ex.request().path(), e);
            a = AdminError.unavailable("internal error");
        }
        ex.outcome(a.getMessage());
        ObjectNode body = AdminJson.JSON.createObjectNode();
        body.putObject("error").put("type", a.type).put("message", a.getMessage());
        replies.json(ex, a.status, AdminJson.bytes(body));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
