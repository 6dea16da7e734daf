package dev.rosetta.budget;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.auth.Principal;
import dev.rosetta.config.BudgetAlertsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code budget_alerts}: one POST per budget, period and threshold, when a settled request takes the
 * period's spend to or past the threshold. Sent from timers and client callbacks, never on a request's
 * path; a failed delivery (no answer, or not 2xx) is retried with exponential backoff, 8 attempts in
 * all. Deduplicated per period by {@link Dedup}: in this process by default, across replicas through
 * Redis {@code SET NX} when the counters are there.
 *
 * <p>The body: {@code {"scope": "key"|"tenant", "tenant", "key_id", "key_name", "spent_usd",
 * "budget_usd", "period", "timezone", "period_start", "period_end", "threshold", "soft"}}; for a
 * tenant's budget the key is the one whose request crossed the threshold.
 */
public final class WebhookAlerts implements BudgetAlerts {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookAlerts.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int ATTEMPTS = 8;

    /** Claims an alert's name once; true for the one caller that should send it. */
    @FunctionalInterface
    public interface Dedup {
        Future<Boolean> claim(String name, long untilMillis, long nowMillis);

        /** In this process: names kept while their period lasts. */
        static Dedup inProcess() {
            ConcurrentHashMap<String, Long> claimed = new ConcurrentHashMap<>();
            return (name, until, now) -> {
                if (claimed.size() > 10_000) {
                    claimed.values().removeIf(u -> u < now);
                }
                return Future.succeededFuture(claimed.putIfAbsent(name, until) == null);
            };
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final URI webhook;
    private final List<Double> at;
    private final Dedup dedup;
    private final Clock clock;
    private final long backoffMillis;
    /** Names this replica has already seen claimed (by itself or, in Redis, another): no round trip again. */
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    /** @param backoff the first retry's delay, doubled for each further one */
    public WebhookAlerts(Vertx vertx, BudgetAlertsConfig config, Dedup dedup, Clock clock, Duration backoff) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient();
        this.webhook = config.webhook().orElseThrow();
        this.at = config.at();
        this.dedup = dedup;
        this.clock = clock;
        this.backoffMillis = backoff.toMillis();
    }

    @Override
    public void spent(Principal p, Hold hold, Spend after) {
        for (double t : at) {
            if (after.spent() < Math.ceil(t * hold.limit())) {
                return; // ascending: no higher one is reached either
            }
            String name = hold.counter() + ":" + t;
            if (seen.contains(name)) {
                continue;
            }
            long now = clock.millis();
            dedup.claim(name, hold.window().end(), now).onSuccess(mine -> {
                if (seen.add(name) && mine) {
                    deliver(body(p, hold, after, t).toString(), 1);
                }
            });
        }
    }

    private ObjectNode body(Principal p, Hold h, Spend s, double threshold) {
        Budget b = (h.kind().equals("key") ? p.keyLimits() : p.tenantLimits()).budget().orElse(null);
        ObjectNode o = JSON.createObjectNode().put("scope", h.kind()).put("tenant", p.tenant()).put("key_id", p.keyId())
                .put("key_name", p.keyName()).put("spent_usd", Budget.usd(s.spent()))
                .put("budget_usd", Budget.usd(h.limit()));
        if (b != null) {
            o.put("period", b.period().wireName()).put("timezone", b.zone().getId());
        }
        o.put("period_start", Instant.ofEpochMilli(h.window().start()).toString());
        if (h.window().end() == Long.MAX_VALUE) {
            o.putNull("period_end");
        } else {
            o.put("period_end", Instant.ofEpochMilli(h.window().end()).toString());
        }
        return o.put("threshold", threshold).put("soft", h.soft());
    }

    private void deliver(String body, int attempt) {
        client.request(new RequestOptions().setAbsoluteURI(webhook.toString()).setMethod(HttpMethod.POST)
                        .putHeader("content-type", "application/json").setTimeout(10_000))
                .compose(req -> req.send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(x -> resp.statusCode()))
                .onComplete(ar -> {
                    boolean ok = ar.succeeded() && ar.result() / 100 == 2;
                    if (ok) {
                        return;
                    }
                    String why = ar.succeeded() ? "status " + ar.result() : String.valueOf(ar.cause());
                    if (attempt >= ATTEMPTS) {
                        LOG.error("budget alert to {} not delivered after {} attempts ({}): {}", webhook.getHost(),
                                attempt, why, body);
                        return;
                    }
                    long delay = backoffMillis << Math.min(attempt - 1, 16);
                    LOG.warn("budget alert to {} failed ({}); retrying in {} ms", webhook.getHost(), why, delay);
                    vertx.setTimer(Math.max(1, delay), id -> deliver(body, attempt + 1));
                });
    }
}
