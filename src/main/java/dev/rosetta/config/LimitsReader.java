package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.budget.Budget;
import dev.rosetta.limits.LimitPolicy;
import dev.rosetta.limits.Limits;
import dev.rosetta.limits.FailurePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Optional;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Reads the one shape limits have wherever they attach (tenants, keys, models, providers; YAML and
 * the admin API's JSON): {@code limits: {rpm, tpm, tpd, concurrent}} and, on tenants and keys,
 * {@code model_limits: {"gpt-5*": {rpm: 30}}}. Problems are reported with their path.
 */
public final class LimitsReader {

    private static final Set<String> KINDS = Set.of("rpm", "tpm", "tpd", "concurrent");
    private static final Pattern MODEL_PATTERN = Pattern.compile("[^*]*\\*?");

    private LimitsReader() {
    }

    /** The top-level limiter settings and the {@code limits} of provider and model entries. */
    static LimiterConfig settings(ConfigLoader loader, JsonNode root) {
        Optional<String> redis = loader.string(root, "redis", "").filter(s -> !s.isEmpty());
        redis.ifPresent(r -> {
            if (!r.startsWith("redis://") && !r.startsWith("rediss://") && !r.startsWith("unix://")) {
                // not echoed: the URL may hold a password
                loader.problem("redis: expected a redis://[:password@]host:port URL");
            }
        });
        Duration timeout = loader.duration(root, "redis_timeout", "").orElse(LimiterConfig.DEFAULT_TIMEOUT);
        FailurePolicy onFailure = loader.string(root, "limits_on_redis_failure", "").map(s -> switch (s) {
            case "allow" -> FailurePolicy.ALLOW;
            case "deny" -> FailurePolicy.DENY;
            default -> {
                loader.problem("limits_on_redis_failure: expected allow or deny, got \"" + s + "\"");
                yield FailurePolicy.ALLOW;
            }
        }).orElse(FailurePolicy.ALLOW);
        long output = LimiterConfig.DEFAULT_OUTPUT_TOKENS;
        JsonNode out = root.get("limits_output_tokens");
        if (out != null && !out.isNull()) {
            if (!out.isIntegralNumber() || out.asLong() <= 0) {
                loader.problem("limits_output_tokens: expected a positive whole number, got " + out);
            } else {
                output = out.asLong();
            }
        }
        String prefix = loader.string(root, "redis_key_prefix", "").orElse(LimiterConfig.DEFAULT_PREFIX);
        return new LimiterConfig(redis, prefix, timeout, onFailure, output, entries(root.get("providers"), "providers", loader),
                entries(root.get("models"), "models", loader));
    }

    private static Map<String, Limits> entries(JsonNode list, String name, ConfigLoader loader) {
        Map<String, Limits> out = new HashMap<>();
        if (list == null || !list.isArray()) {
            return out;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode e = list.get(i);
            if (e.isObject() && e.hasNonNull("limits") && e.path("name").isTextual()) {
                Limits l = limits(e.get("limits"), name + "[" + i + "].limits", loader::problem);
                if (!l.none()) {
                    out.put(e.get("name").asText(), l);
                }
            }
        }
        return out;
    }

    /** {@code limits} and {@code model_limits} of {@code owner}; {@link LimitPolicy#NONE} when it has neither. */
    public static LimitPolicy policy(JsonNode owner, String prefix, Consumer<String> problems) {
        Limits own = limits(owner.get("limits"), prefix + "limits", problems);
        JsonNode models = owner.get("model_limits");
        List<LimitPolicy.ModelLimit> perModel = new ArrayList<>();
        if (models != null && !models.isNull()) {
            if (!models.isObject()) {
                problems.accept(prefix + "model_limits: expected a mapping of model name or prefix* pattern to limits");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String path = prefix + "model_limits." + e.getKey();
                    if (e.getKey().isEmpty() || !MODEL_PATTERN.matcher(e.getKey()).matches()) {
                        problems.accept(path + ": expected a model name or a prefix ending in *");
                        continue;
                    }
                    Limits l = limits(e.getValue(), path, problems);
                    if (!l.none()) {
                        perModel.add(new LimitPolicy.ModelLimit(e.getKey(), l));
                    }
                }
            }
        }
        Optional<Budget> budget = budget(owner.get("budget"), prefix + "budget", problems);
        return own.none() && perModel.isEmpty() && budget.isEmpty() ? LimitPolicy.NONE
                : new LimitPolicy(own, perModel, budget);
    }

    private static final Set<String> BUDGET_KEYS = Set.of("usd", "period", "timezone", "soft");

    /** {@code {usd, period, timezone, soft}}; empty when absent or null. */
    public static Optional<Budget> budget(JsonNode node, String path, Consumer<String> problems) {
        if (node == null || node.isNull() || node.isObject() && node.isEmpty()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            problems.accept(path + ": expected a mapping of usd, period, timezone, soft");
            return Optional.empty();
        }
        boolean ok = true;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!BUDGET_KEYS.contains(k)) {
                problems.accept(path + "." + k + ": unknown key (expected usd, period, timezone or soft)");
                ok = false;
            }
        }
        JsonNode usd = node.get("usd");
        long nanos = 0;
        if (usd == null || !usd.isNumber() || usd.decimalValue().signum() <= 0) {
            problems.accept(path + ".usd: expected an amount in US dollars above 0, got " + (usd == null ? "nothing" : usd));
            ok = false;
        } else {
            java.math.BigDecimal n = usd.decimalValue().movePointRight(9);
            if (n.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0 || n.signum() <= 0) {
                problems.accept(path + ".usd: out of range: " + usd);
                ok = false;
            } else {
                nanos = n.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
            }
        }
        Budget.Period period = null;
        JsonNode p = node.get("period");
        if (p == null || !p.isTextual()) {
            problems.accept(path + ".period: expected day, week, month or total");
            ok = false;
        } else {
            for (Budget.Period candidate : Budget.Period.values()) {
                if (candidate.wireName().equals(p.asText())) {
                    period = candidate;
                }
            }
            if (period == null) {
                problems.accept(path + ".period: expected day, week, month or total, got \"" + p.asText() + "\"");
                ok = false;
            }
        }
        java.time.ZoneId zone = java.time.ZoneOffset.UTC;
        JsonNode tz = node.get("timezone");
        if (tz != null && !tz.isNull()) {
            try {
                zone = java.time.ZoneId.of(tz.asText());
            } catch (java.time.DateTimeException e) {
                problems.accept(path + ".timezone: unknown time zone \"" + tz.asText() + "\" (expected an IANA name such as Europe/Berlin, or UTC)");
                ok = false;
            }
        }
        JsonNode soft = node.get("soft");
        if (soft != null && !soft.isNull() && !soft.isBoolean()) {
            problems.accept(path + ".soft: expected true or false");
            ok = false;
        }
        return ok ? Optional.of(new Budget(nanos, period, zone, soft != null && soft.asBoolean(false))) : Optional.empty();
    }

    /** The inverse of {@link #budget}. */
    public static ObjectNode toJson(Budget b) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("usd", b.usd());
        o.put("period", b.period().wireName());
        o.put("timezone", b.zone().getId());
        o.put("soft", b.soft());
        return o;
    }

    /** {@code {"limits": {...}, "model_limits": {...}, "budget": {...}}}, each only when set: the inverse of {@link #policy}. */
    public static ObjectNode toJson(LimitPolicy policy) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (!policy.limits().none()) {
            out.set("limits", toJson(policy.limits()));
        }
        if (!policy.models().isEmpty()) {
            ObjectNode models = out.putObject("model_limits");
            policy.models().forEach(m -> models.set(m.pattern(), toJson(m.limits())));
        }
        policy.budget().ifPresent(b -> out.set("budget", toJson(b)));
        return out;
    }

    private static ObjectNode toJson(Limits l) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (l.rpm() > 0) {
            o.put("rpm", l.rpm());
        }
        if (l.tpm() > 0) {
            o.put("tpm", l.tpm());
        }
        if (l.tpd() > 0) {
            o.put("tpd", l.tpd());
        }
        if (l.concurrent() > 0) {
            o.put("concurrent", l.concurrent());
        }
        return o;
    }

    /** One {@code {rpm, tpm, tpd, concurrent}} object; {@link Limits#NONE} when absent. */
    public static Limits limits(JsonNode node, String path, Consumer<String> problems) {
        if (node == null || node.isNull()) {
            return Limits.NONE;
        }
        if (!node.isObject()) {
            problems.accept(path + ": expected a mapping of rpm, tpm, tpd, concurrent");
            return Limits.NONE;
        }
        long[] v = new long[4];
        String[] order = {"rpm", "tpm", "tpd", "concurrent"};
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KINDS.contains(k)) {
                problems.accept(path + "." + k + ": unknown limit (expected rpm, tpm, tpd or concurrent)");
            }
        }
        for (int i = 0; i < order.length; i++) {
            JsonNode n = node.get(order[i]);
            if (n == null || n.isNull()) {
                continue;
            }
            if (!n.canConvertToLong() || !n.isIntegralNumber() && !n.isTextual() || n.asLong(-1) <= 0) {
                problems.accept(path + "." + order[i] + ": expected a positive whole number, got " + n);
                continue;
            }
            v[i] = n.asLong();
        }
        return new Limits(v[0], v[1], v[2], v[3]);
    }
}
