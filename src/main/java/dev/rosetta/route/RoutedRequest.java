package dev.rosetta.route;

import dev.rosetta.config.Secret;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import dev.rosetta.pipeline.Attempt;
import dev.rosetta.pipeline.AttemptFailure;
import dev.rosetta.pipeline.Attempts;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.JsonStrings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One routed request's attempts. The plan is the strategy's order repeated up to the group's number
 * of attempts: the first pass tries each target once with no wait (another target is no reason to
 * wait); a later pass returns to a target after a jittered, doubling backoff, or its {@code retry-after}
 * when that is longer (a target asking for more than {@code max_backoff} is skipped). A target whose
 * breaker is open, that rests after a 429, or whose key pool is all resting, is skipped. Lives on the
 * request's event loop.
 */
final class RoutedRequest implements Attempts {

    private static final Logger LOG = LoggerFactory.getLogger("rosetta.access");

    private record Step(ModelGroup group, Target target) {
    }

    private final Router router;
    private final Routing routing;
    private final Exchange ex;
    private final ModelGroup group;
    private final Consumer<Route> call;
    private final String clientModel;
    private final long deadline;
    private List<Step> plan;
    private int cursor;
    private boolean fellBack;
    private final Map<String, Integer> tries = new HashMap<>();
    private final Map<String, Optional<Long>> retryAfter = new HashMap<>();
    // the attempt under way
    private Step current;
    private TargetHealth currentHealth;
    private KeyPool pool;
    private int keyIndex = -1;
    private long started;
    private boolean settled = true;
    private String lastTarget = "";

    RoutedRequest(Router router, Routing routing, Exchange ex, ModelGroup group, Consumer<Route> call) {
        this.router = router;
        this.routing = routing;
        this.ex = ex;
        this.group = group;
        this.call = call;
        this.clientModel = ex.model();
        this.deadline = group.timeouts().total().map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
        List<Target> order = Strategies.order(group.strategy(), group.targets(), router.health, router.random);
        int attempts = group.attempts();
        List<Step> steps = new ArrayList<>(attempts);
        for (int i = 0; i < attempts; i++) {
            steps.add(new Step(group, order.get(i % order.size())));
        }
        this.plan = steps;
    }

    void start() {
        ex.route(this);
        if (group.streams() != null) {
            ex.streamTimeouts(group.streams());
        }
        ex.whenComplete(e -> settle(false, 0, ""));
        if (!next()) {
            // nothing may be tried: every breaker open or every target resting
            router.replies.error(ex, GatewayError.of(ErrorKind.UNAVAILABLE, "no target of model \"" + clientModel
                    + "\" is available now (circuit open or rate limited); try again shortly"));
        }
    }

    /** Starts (or schedules) the next attempt of the plan that may go; false when none is left. */
    private boolean next() {
        while (cursor < plan.size()) {
            Step step = plan.get(cursor++);
            Target t = step.target();
            int tried = tries.getOrDefault(t.id(), 0);
            Duration wait = Duration.ZERO;
            if (tried > 0) {
                wait = backoff(tried);
                Optional<Long> asked = retryAfter.getOrDefault(t.id(), Optional.empty());
                if (asked.isPresent()) {
                    Duration a = Duration.ofSeconds(asked.get());
                    if (a.compareTo(group.retry().maxBackoff()) > 0) {
                        continue;
                    }
                    wait = a.compareTo(wait) > 0 ? a : wait;
                }
            }
            if (System.nanoTime() + wait.toNanos() >= deadline) {
                return false;
            }
            if (wait.isZero()) {
                if (launch(step)) {
                    return true;
                }
                continue;
            }
            router.delays.after(router.vertx, wait, () -> {
                if (ex.response().closed()) {
                    router.replies.finish(ex, 499);
                } else if (!launch(step) && !next()) {
                    router.replies.error(ex, lastError != null ? lastError : GatewayError.of(ErrorKind.UNAVAILABLE,
                            "no target of model \"" + clientModel + "\" is available now"));
                }
            });
            return true;
        }
        return false;
    }

    private GatewayError lastError;

    /** Jittered doubling backoff before the {@code tried + 1}-th attempt on one target: [d/2, d]. */
    private Duration backoff(int tried) {
        long base = group.retry().backoff().toMillis();
        long max = group.retry().maxBackoff().toMillis();
        long d = Math.min(max, base << Math.min(20, tried - 1));
        return Duration.ofMillis(d / 2 + (d > 1 ? router.random.nextLong(d - d / 2 + 1) : d));
    }

    /** One attempt on the step's target, if its breaker and key pool let it go now. */
    private boolean launch(Step step) {
        Target t = step.target();
        TargetHealth h = router.health.of(t);
        KeyPool p = router.health.pool(t.provider().name()).orElse(null);
        int key = -1;
        if (p != null) {
            Optional<Integer> k = p.pick();
            if (k.isEmpty()) {
                return false;
            }
            key = k.get();
        }
        if (!h.tryAcquire()) {
            return false;
        }
        current = step;
        currentHealth = h;
        pool = p;
        keyIndex = key;
        settled = false;
        started = System.nanoTime();
        lastTarget = t.id();
        tries.merge(t.id(), 1, Integer::sum);
        h.started();
        Optional<Secret> secret = p == null ? Optional.empty() : Optional.of(p.key(key));
        Route route = step.group().route(t, clientModel, secret);
        ex.provider(route.provider().name());
        ex.upstreamModel(route.upstreamModel());
        try {
            call.accept(route);
        } catch (GatewayException e) {
            // refused before it was sent (say, strict conversion for this target's dialect): the client's error
            settle(false, 0, e.error().message());
            router.replies.error(ex, e.error());
        }
        return true;
    }

    @Override
    public void committed(Exchange e) {
        if (!lastTarget.isEmpty()) {
            e.response().putHeader("x-rosetta-target", lastTarget);
        }
        if (current != null && !settled) {
            long nanos = System.nanoTime() - started;
            currentHealth.succeeded(nanos);
            if (!ex.attempts().isEmpty()) {
                // after failed attempts, the winner's line too; a first-time success is the request's own line
                log(200, "ok", nanos);
            }
        }
    }

    @Override
    public boolean failed(Exchange e, AttemptFailure f) {
        if (current == null || settled) {
            return false;
        }
        Failures.Verdict verdict = Failures.of(f);
        Optional<Long> after = f.error().retryAfterSeconds();
        String id = current.target().id();
        retryAfter.put(id, after);
        if (f.upstreamStatus() == 429 || f.error().kind() == ErrorKind.RATE_LIMITED) {
            if (pool != null) {
                pool.rest(keyIndex, after.map(Duration::ofSeconds));
            } else {
                after.ifPresent(s -> currentHealth.rest(Duration.ofSeconds(s)));
            }
        }
        settle(verdict == Failures.Verdict.RETRY, f.upstreamStatus(), f.error().message());
        lastError = f.error();
        if (e.response().closed()) {
            return false;
        }
        switch (verdict) {
            case FINAL -> {
                return false;
            }
            case CONTEXT_WINDOW, CONTENT_POLICY -> {
                List<String> fallbacks = verdict == Failures.Verdict.CONTEXT_WINDOW
                        ? group.contextWindowFallbacks() : group.contentPolicyFallbacks();
                if (fellBack || fallbacks.isEmpty()) {
                    return false;
                }
                fellBack = true;
                List<Step> steps = new ArrayList<>();
                for (String name : fallbacks) {
                    routing.group(name).ifPresent(g -> g.targets().forEach(t -> steps.add(new Step(g, t))));
                }
                plan = steps;
                cursor = 0;
                return next();
            }
            case RETRY -> {
                return next();
            }
        }
        return false;
    }

    /** Ends the attempt under way once: its outcome to its target's health, a log line, the attempt to the exchange. */
    private void settle(boolean failure, int status, String outcome) {
        if (settled || current == null) {
            return;
        }
        settled = true;
        long nanos = System.nanoTime() - started;
        currentHealth.ended();
        if (ex.committed() && status == 0 && outcome.isEmpty()) {
            return; // the committed attempt, already counted a success; now over
        }
        if (failure) {
            currentHealth.failed(nanos);
        } else {
            currentHealth.released();
        }
        log(status, outcome.isEmpty() ? "client closed the connection" : outcome, nanos);
    }

    private void log(int status, String outcome, long nanos) {
        Attempt a = new Attempt(ex.attempts().size() + 1, current.target().id(), status, outcome, nanos);
        ex.attempt(a);
        if (!LOG.isInfoEnabled()) {
            return;
        }
        StringBuilder sb = new StringBuilder(200);
        sb.append("{\"time\":\"").append(Instant.now()).append("\",\"request_id\":\"").append(ex.requestId())
                .append("\",\"model\":");
        JsonStrings.append(sb, clientModel).append(",\"attempt\":").append(a.number()).append(",\"target\":");
        JsonStrings.append(sb, a.target()).append(",\"upstream_status\":").append(status)
                .append(",\"outcome\":");
        JsonStrings.append(sb, router.redactor.redact(outcome)).append(",\"time_ms\":").append(nanos / 1_000_000)
                .append('}');
        LOG.info(sb.toString());
    }
}
