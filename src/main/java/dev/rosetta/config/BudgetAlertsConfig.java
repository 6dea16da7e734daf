package dev.rosetta.config;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code budget_alerts: {at: [0.8, 1.0], webhook: URL}}: one POST to {@code webhook} each time a
 * budget's spend in a period first reaches one of the fractions {@code at}.
 *
 * @param at fractions of the budget, ascending, each above 0
 * @param webhook where alerts are posted; empty: no alerts
 */
public record BudgetAlertsConfig(List<Double> at, Optional<URI> webhook) {

    public static final BudgetAlertsConfig NONE = new BudgetAlertsConfig(List.of(), Optional.empty());

    public BudgetAlertsConfig {
        at = List.copyOf(at);
        Objects.requireNonNull(webhook, "webhook");
    }

    public boolean on() {
        return webhook.isPresent() && !at.isEmpty();
    }

    /** Reads the section, problems reported with their path. */
    static BudgetAlertsConfig read(ConfigLoader loader, com.fasterxml.jackson.databind.JsonNode root) {
        var node = root.get("budget_alerts");
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            loader.problem("budget_alerts: expected a mapping of at and webhook");
            return NONE;
        }
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("at") && !k.equals("webhook")) {
                loader.problem("budget_alerts." + k + ": unknown key (expected at or webhook)");
            }
        }
        List<Double> at = new java.util.ArrayList<>();
        var list = node.get("at");
        if (list == null || list.isNull()) {
            at = List.of(0.8, 1.0);
        } else if (!list.isArray() || list.isEmpty()) {
            loader.problem("budget_alerts.at: expected a list of fractions of the budget, such as [0.8, 1.0]");
        } else {
            for (int i = 0; i < list.size(); i++) {
                var v = list.get(i);
                if (!v.isNumber() || v.asDouble() <= 0 || v.asDouble() > 10) {
                    loader.problem("budget_alerts.at[" + i + "]: expected a fraction of the budget above 0 (1.0 = all of it), got " + v);
                } else {
                    at.add(v.asDouble());
                }
            }
            at = at.stream().distinct().sorted().toList();
        }
        Optional<URI> webhook = Optional.empty();
        var w = node.get("webhook");
        if (w == null || !w.isTextual() || w.asText().isEmpty()) {
            loader.problem("budget_alerts.webhook: expected an http:// or https:// URL");
        } else {
            try {
                URI u = new URI(w.asText());
                if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                    loader.problem("budget_alerts.webhook: expected an http:// or https:// URL");
                } else {
                    webhook = Optional.of(u);
                }
            } catch (java.net.URISyntaxException e) {
                loader.problem("budget_alerts.webhook: not a URL (" + e.getReason() + ")");
            }
        }
        return new BudgetAlertsConfig(at, webhook);
    }
}
