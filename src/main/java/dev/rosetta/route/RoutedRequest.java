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
import dev.rosetta.pipeline.UpstreamCall;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.BilledAttempt;
import dev.rosetta.usage.TokenEstimate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One routed request's attempts. The plan is the strategy's order repeated up to the group's number
 * of attempts: the first pass tries each target once with no wait (another target is no reason to
 * wait); a later pass returns to a target after a jittered, doubling backoff, or its {@code retry-after}
 * when that is longer (a target asking for more than {@code max_backoff} is skipped). A target whose
 * breaker is open, that rests after a 429, or whose key pool is all resting, is skipped.
 *
 * <p>With {@code hedge} on a streamed request, the next target is started too when none has committed
 * after {@code after}; the first attempt to commit wins and the others are abandoned at that moment
 * (their upstream requests reset, which closes their connections). A failure while another attempt
 * is still running ends only that attempt. Lives on the request's event loop.
 */
final class RoutedRequest implements Attempts {

    private static final Logger LOG = LoggerFactory.getLogger("rosetta.access");

    private record Step(ModelGroup group, Target target) {
    }

    /** An attempt that was started. */
    private static final class Live {
        final Step step;
        final Route route;
        final TargetHealth health;
        final KeyPool pool;
        final int key;
        final long started = System.nanoTime();
        UpstreamCall call;
        boolean settled;

        Live(Step step, Route route, TargetHealth health, KeyPool pool, int key) {
            this.step = step;
            this.route = route;
            this.health = health;
            this.pool = pool;
            this.key = key;
        }

        String id() {
            return step.target().id();
        }
    }

    private final Router router;
    private final Routing routing;
    private final Exchange ex;
    private final ModelGroup group;
    private final Consumer<Route> call;
    private final String clientModel;
    private final long deadline;
    private final Map<String, Integer> tries = new HashMap<>();
    private final Map<String, Optional<Long>> retryAfter = new HashMap<>();
    private final List<Live> attempts = new ArrayList<>(2);
    private List<Step> plan;
    private int cursor;
    private boolean fellBack;
    private int hedges;
    private Live winner;
    private GatewayError lastError;

    RoutedRequest(Router router, Routing routing, Exchange ex, ModelGroup group, Consumer<Route> call) {
        this.router = router;
        this.routing = routing;
        this.ex = ex;
        this.group = group;
        this.call = call;
        this.clientModel = ex.model();
        this.deadline = group.timeouts().total().map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
        List<Target> order = Strategies.order(group.strategy(), group.targets(), router.health, router.random);
        int n = group.attempts();
        List<Step> steps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            steps.add(new Step(group, order.get(i % order.size())));
        }
        this.plan = steps;
    }

    void start() {
        ex.route(this);
        if (group.streams() != null) {
            ex.streamTimeouts(group.streams());
        }
        ex.whenComplete(e -> completed());
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
                    if (a.compareTo(step.group().retry().maxBackoff()) > 0) {
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

    /** Jittered doubling backoff before the {@code tried + 1}-th attempt on one target: within [d/2, d]. */
    private Duration backoff(int tried) {
        long base = group.retry().backoff().toMillis();
        long max = group.retry().maxBackoff().toMillis();
        long d = Math.min(max, base << Math.min(20, tried - 1));
        return Duration.ofMillis(d / 2 + (d > 1 ? router.random.nextLong(d - d / 2 + 1) : 0));
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
            ex.signal(dev.rosetta.metrics.Signal.BREAKER_OPEN);
            return false;
        }
        Optional<Secret> secret = p == null ? Optional.empty() : Optional.of(p.key(key));
        Route route = step.group().route(t, clientModel, secret);
        Live live = new Live(step, route, h, p, key);
        if (!attempts.isEmpty() && running() == 0) {
            // after a failure (a hedge starts beside a live attempt and is neither)
            ex.signal(tries.containsKey(t.id()) ? dev.rosetta.metrics.Signal.RETRY : dev.rosetta.metrics.Signal.FAILOVER);
        }
        attempts.add(live);
        tries.merge(t.id(), 1, Integer::sum);
        h.started();
        ex.provider(route.provider().name());
        ex.upstreamModel(route.upstreamModel());
        group.hedge().filter(x -> ex.stream() && hedges < x.max()).ifPresent(x -> router.delays.after(router.vertx,
                x.after(), () -> hedge(live)));
        try {
            call.accept(route);
        } catch (GatewayException e) {
            // refused before it was sent (say, strict conversion for this target's dialect): the client's error
            settle(live, false, 0, e.error().message());
            if (running() == 0) {
                router.replies.error(ex, e.error());
            }
        }
        return true;
    }

    /** The hedge: {@code live} has not committed in time, so the next target starts too. */
    private void hedge(Live live) {
        if (ex.committed() || live.settled || ex.response().closed() || hedges >= group.hedge().get().max()) {
            return;
        }
        hedges++;
        next();
    }

    private int running() {
        int n = 0;
        for (Live l : attempts) {
            n += l.settled ? 0 : 1;
        }
        return n;
    }

    private Live of(UpstreamCall c) {
        for (Live l : attempts) {
            if (l.route == c.route()) {
                return l;
            }
        }
        return null;
    }

    @Override
    public void started(Exchange e, UpstreamCall c) {
        Live l = of(c);
        if (l != null) {
            l.call = c;
            if (l.settled) {
                c.abandon(); // lost the race before its request even opened
            }
        }
    }

    @Override
    public void committed(Exchange e) {
        Live w = e.committer().map(this::of).orElse(null);
        if (w == null) {
            for (Live l : attempts) {
                w = l.settled ? w : l;
            }
        }
        Live named = w != null ? w : attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
        if (named != null) {
            e.response().putHeader("x-rosetta-target", named.route.provider().name() + "/" + named.route.upstreamModel());
        }
        if (w == null || w.settled) {
            return;
        }
        winner = w;
        e.provider(w.route.provider().name());
        e.upstreamModel(w.route.upstreamModel());
        long nanos = System.nanoTime() - w.started;
        w.health.succeeded(nanos);
        for (Live l : attempts) {
            if (l != w && !l.settled) {
                if (l.call != null) {
                    l.call.abandon();
                }
                settle(l, false, 0, "cancelled: " + w.id() + " answered first");
                if (l.call != null) {
                    // its request went out: the provider read the prompt and bills it
                    e.billed(new BilledAttempt(e.attempts().size(), l.route.provider().name(), l.route.upstreamModel(),
                            new Usage(TokenEstimate.ofBodyBytes(Math.max(0, e.bodyBytes())), 0, 0, 0, 0),
                            System.nanoTime() - l.started));
                }
            }
        }
        if (w.call != null) {
            w.call.watchClient();
        }
        if (attempts.size() > 1) {
            // after other attempts, the winner's line too; a first-time success is the request's own line
            log(w, 200, "ok", nanos);
        }
    }

    @Override
    public boolean failed(Exchange e, UpstreamCall c, AttemptFailure f) {
        Live l = of(c);
        if (l == null || l.settled) {
            return false;
        }
        Failures.Verdict verdict = Failures.of(f);
        Optional<Long> after = f.error().retryAfterSeconds();
        retryAfter.put(l.id(), after);
        if (f.upstreamStatus() == 429 || f.error().kind() == ErrorKind.RATE_LIMITED) {
            if (l.pool != null) {
                l.pool.rest(l.key, after.map(Duration::ofSeconds));
            } else {
                after.ifPresent(s -> l.health.rest(Duration.ofSeconds(s)));
            }
        }
        settle(l, verdict == Failures.Verdict.RETRY, f.upstreamStatus(), f.error().message());
        lastError = f.error();
        if (e.response().closed()) {
            return false;
        }
        if (running() > 0) {
            return true; // a hedge is still at it: this attempt just ends
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

    /** The exchange ended: every attempt still open ends with it. */
    private void completed() {
        for (Live l : attempts) {
            if (!l.settled) {
                if (l != winner && l.call != null) {
                    l.call.abandon();
                }
                settle(l, false, 0, "");
            }
        }
    }

    /** Ends an attempt once: its outcome to its target's health, a log line, the attempt to the exchange. */
    private void settle(Live l, boolean failure, int status, String outcome) {
        if (l.settled) {
            return;
        }
        l.settled = true;
        long nanos = System.nanoTime() - l.started;
        l.health.ended();
        if (l == winner) {
            return; // counted a success when it committed; now over
        }
        if (failure) {
            l.health.failed(nanos);
        } else {
            l.health.released();
        }
        log(l, status, outcome.isEmpty() ? "client closed the connection" : outcome, nanos);
    }

    private void log(Live l, int status, String outcome, long nanos) {
        Attempt a = new Attempt(ex.attempts().size() + 1, l.id(), status, outcome, nanos);
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
