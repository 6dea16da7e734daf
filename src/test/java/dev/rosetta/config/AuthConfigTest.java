package dev.rosetta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rosetta.auth.KeySecret;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AuthConfigTest {

    private static final String KEY_A = KeySecret.generate(new Random(11));
    private static final String KEY_B = KeySecret.generate(new Random(12));
    private static final String ADMIN = "admin-0123456789abcdef0123456789abcdef";
    private static final String PROVIDERS = """
            providers:
              - name: mock
                type: mock
            models:
              - name: mock-gpt
                provider: mock
            """;

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("KEY_A", KEY_A);
        env.put("KEY_B", KEY_B);
        env.put("ADMIN", ADMIN);
        env.put("TYPO", KEY_A.substring(0, 30) + (KEY_A.charAt(30) == 'x' ? 'y' : 'x') + KEY_A.substring(31));
        return env;
    }

    private static GatewayConfig parse(String yaml) {
        return ConfigLoader.parse(PROVIDERS + yaml, env()::get);
    }

    private static List<String> problems(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).problems();
    }

    @Test
    void noneIsTheDefaultOnLoopback() {
        assertThat(parse("host: 127.0.0.1\n").auth()).isEqualTo(AuthConfig.NONE);
        assertThat(parse("host: localhost\n").auth().mode()).isEqualTo(AuthConfig.Mode.NONE);
        assertThat(parse("host: \"::1\"\n").auth().mode()).isEqualTo(AuthConfig.Mode.NONE);
        assertThat(parse("").auth().mode()).isEqualTo(AuthConfig.Mode.NONE);
    }

    @Test
    void noneOnAnyOtherAddressRefusesToStartSayingWhyAndHowToFixIt() {
        for (String host : List.of("0.0.0.0", "::", "192.0.2.10")) {
            List<String> p = problems("host: \"" + host + "\"\n");
            assertThat(p).singleElement().asString()
                    .startsWith("auth: none (the default) on host " + host + ", which is not a loopback address")
                    .contains("Set auth: keys").contains("allow_unauthenticated: true");
        }
        assertThat(problems("host: 0.0.0.0\nauth: none\n")).hasSize(1);
        AuthConfig open = parse("host: 0.0.0.0\nallow_unauthenticated: true\n").auth();
        assertThat(open.mode()).isEqualTo(AuthConfig.Mode.NONE);
        assertThat(open.allowUnauthenticated()).isTrue();
    }

    @Test
    void keysModeReadsTenantsAndKeysWithSecretsFromTheEnvironment() {
        AuthConfig auth = parse("""
                host: 0.0.0.0
                auth: keys
                admin_key: ${ADMIN}
                tenants:
                  - name: search-team
                    models: ["gpt-*", "claude-sonnet-*"]
                    metadata: {cost_center: 42}
                  - name: idle
                    disabled: true
                keys:
                  - name: search-ci
                    tenant: search-team
                    key: ${KEY_A}
                    models: [gpt-4o, "claude-sonnet-4-*"]
                    expires_at: 2027-01-01
                    metadata: {owner: ci}
                  - name: idle-key
                    tenant: idle
                    key: ${KEY_B}
                    disabled: true
                    expires_at: 2026-03-01T12:00:00Z
                """).auth();

        assertThat(auth.mode()).isEqualTo(AuthConfig.Mode.KEYS);
        assertThat(auth.adminKey()).contains(new Secret(ADMIN));
        assertThat(auth.tenants()).containsExactly(
                new AuthConfig.TenantConfig("search-team", Optional.of(List.of("gpt-*", "claude-sonnet-*")),
                        Map.of("cost_center", "42"), false),
                new AuthConfig.TenantConfig("idle", Optional.empty(), Map.of(), true));
        assertThat(auth.keys()).containsExactly(
                new AuthConfig.KeyConfig("search-ci", "search-team", new Secret(KEY_A),
                        Optional.of(List.of("gpt-4o", "claude-sonnet-4-*")),
                        Optional.of(Instant.parse("2027-01-01T00:00:00Z")), false, Map.of("owner", "ci")),
                new AuthConfig.KeyConfig("idle-key", "idle", new Secret(KEY_B), Optional.empty(),
                        Optional.of(Instant.parse("2026-03-01T12:00:00Z")), true, Map.of()));
    }

    @Test
    void everyProblemIsReportedWithItsKeyPathAndNoSecretIsEchoed() {
        List<String> p = problems("""
                auth: tokens
                admin_key: short
                allow_unauthenticated: maybe
                tenants:
                  - name: a
                    models: ["gpt-*"]
                    colour: red
                  - name: a
                  - name: "bad name"
                  - models: "gpt-4o"
                keys:
                  - name: k1
                    tenant: a
                    key: ${TYPO}
                  - name: k2
                    tenant: nobody
                    key: ${KEY_A}
                  - name: k3
                    tenant: a
                    key: ${KEY_A}
                    models: ["claude-*", "gpt-4o", "gpt-4*", "g*"]
                    expires_at: next week
                  - name: k4
                    tenant: a
                    key: ${KEY_A}
                  - name: k5
                    tenant: a
                    key: ${UNSET}
                """);

        assertThat(p).contains(
                "auth: expected none or keys, got \"tokens\"",
                "admin_key: must be at least 32 characters (use a long random value, e.g. openssl rand -base64 32)",
                "allow_unauthenticated: expected true or false, got \"maybe\"",
                "tenants[0].colour: unknown key (expected one of [budget, disabled, limits, metadata, model_limits, models, name, passthrough])",
                "tenants[1].name: duplicate tenant \"a\"",
                "tenants[2].name: \"bad name\" must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                "tenants[3].name: required",
                "tenants[3].models: expected a list of model names or name* patterns",
                "keys[0].key: not a gateway key (expected rk-... with a valid checksum; make one with: ./rosetta new-key)",
                "keys[1].tenant: unknown tenant \"nobody\"",
                "keys[2].models[0]: \"claude-*\" is not within tenant \"a\"'s models [gpt-*] (a key can only narrow its tenant's models)",
                "keys[2].models[3]: \"g*\" is not within tenant \"a\"'s models [gpt-*] (a key can only narrow its tenant's models)",
                "keys[2].expires_at: expected a UTC time such as 2026-03-01T00:00:00Z or a date such as 2026-03-01, got \"next week\"",
                "keys[3].key: the same secret as key \"k2\"",
                "keys[4].key: environment variable UNSET is not set");
        assertThat(String.join("\n", p)).doesNotContain(KEY_A).doesNotContain(env().get("TYPO"));
    }

    @Test
    void tenantsAndKeysWithoutAuthKeysAreAMistakeNotIgnored() {
        assertThat(problems("""
                tenants:
                  - name: a
                """)).containsExactly("tenants: declared, but auth is none (set auth: keys for them to be required)");
        assertThat(problems("auth: keys\nallow_unauthenticated: true\n"))
                .containsExactly("allow_unauthenticated: only means something with auth: none (remove it)");
    }

    @Test
    void theAdminKeyIsNeitherAClientKeyNorAProviderKey() {
        Map<String, String> env = env();
        env.put("ADMIN", KEY_A);
        List<String> p = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(PROVIDERS + """
                auth: keys
                admin_key: ${ADMIN}
                tenants: [{name: a}]
                keys: [{name: k, tenant: a, key: "${KEY_A}"}]
                """, env::get)).problems();
        assertThat(p).containsExactly("admin_key: must not be a client key (it is keys \"k\")");
    }

    @Test
    void theStoreIsSqliteByDefaultOrAPostgresqlUrlAndItsPasswordIsNeverShown() {
        assertThat(parse("auth: keys\n").auth().store()).isEqualTo(StoreLocation.DEFAULT);
        assertThat(parse("auth: keys\nstore: sqlite:/var/lib/rosetta/keys.db\n").auth().store().jdbcUrl())
                .isEqualTo("jdbc:sqlite:/var/lib/rosetta/keys.db");
        StoreLocation pg = parse("auth: keys\nstore: postgresql://rosetta:s3cret@db.internal:5433/gateway?schema=keys\n")
                .auth().store();
        assertThat(pg.kind()).isEqualTo(StoreLocation.Kind.POSTGRESQL);
        assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/gateway");
        assertThat(pg.user()).contains("rosetta");
        assertThat(pg.password()).contains(new Secret("s3cret"));
        assertThat(pg.schema()).contains("keys");
        assertThat(pg.display()).doesNotContain("s3cret");

        assertThat(problems("auth: keys\nstore: mysql://x/y\n"))
                .containsExactly("store: expected sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
        assertThat(problems("auth: keys\nstore: postgresql://u@h:5432\n"))
                .containsExactly("store: expected postgresql://USER@HOST[:PORT]/DATABASE");
        assertThat(problems("store: sqlite:x.db\n"))
                .containsExactly("store: only used with auth: keys (remove it, or set auth: keys)");
    }
}
