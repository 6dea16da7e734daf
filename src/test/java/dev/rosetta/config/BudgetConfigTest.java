package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.auth.KeySecret;
import dev.rosetta.budget.Budget;
import java.net.URI;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BudgetConfigTest {

    private static final String KEY = KeySecret.generate(new Random(22));
    private static final String HEAD = """
            auth: keys
            store: "sqlite::memory:"
            providers:
              - {name: oai, type: openai, api_key: "${OPENAI_API_KEY}"}
            """;

    private static GatewayConfig parse(String yaml) {
        return ConfigLoader.parse(HEAD + yaml, Map.of("K", KEY, "OPENAI_API_KEY", "sk-test")::get);
    }

    private static List<String> problems(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).problems();
    }

    @Test
    void budgetsAttachToTenantsAndKeysAndAlertsAreTopLevel() {
        GatewayConfig c = parse("""
                budget_alerts: {at: [1.0, 0.8], webhook: "https://hooks.example.com/rosetta"}
                tenants:
                  - name: search
                    budget: {usd: 50, period: month, timezone: Europe/Berlin}
                keys:
                  - name: bot
                    tenant: search
                    key: ${K}
                    budget: {usd: 0.25, period: day, soft: true}
                """);
        assertThat(c.auth().tenants().get(0).limits().budget()).hasValue(
                new Budget(50_000_000_000L, Budget.Period.MONTH, ZoneId.of("Europe/Berlin"), false));
        assertThat(c.auth().keys().get(0).limits().budget()).hasValue(
                new Budget(250_000_000L, Budget.Period.DAY, ZoneOffset.UTC, true));
        assertThat(c.budgetAlerts()).isEqualTo(new BudgetAlertsConfig(List.of(0.8, 1.0),
                Optional.of(URI.create("https://hooks.example.com/rosetta"))));
    }

    @Test
    void badBudgetsAndAlertsAreReportedWithTheirPath() {
        assertThat(problems("""
                budget_alerts: {at: [0, 2], webhook: "ftp://x", every: 1}
                tenants:
                  - name: search
                    budget: {usd: 0, period: year, timezone: Mars/Olympus, cap: 3}
                keys:
                  - name: bot
                    tenant: search
                    key: ${K}
                    budget: 50
                """)).containsExactlyInAnyOrder(
                "budget_alerts.every: unknown key (expected at or webhook)",
                "budget_alerts.at[0]: expected a fraction of the budget above 0 (1.0 = all of it), got 0",
                "budget_alerts.webhook: expected an http:// or https:// URL",
                "tenants[0].budget.cap: unknown key (expected usd, period, timezone or soft)",
                "tenants[0].budget.usd: expected an amount in US dollars above 0, got 0",
                "tenants[0].budget.period: expected day, week, month or total, got \"year\"",
                "tenants[0].budget.timezone: unknown time zone \"Mars/Olympus\" (expected an IANA name such as"
                        + " Europe/Berlin, or UTC)",
                "keys[0].budget: expected a mapping of usd, period, timezone, soft");
    }
}
