package dev.rosetta.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.dialect.openai.ChatReasoning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads and validates the YAML configuration. Every problem found is reported with the path of the
 * offending key ({@code models[3].provider: unknown provider "claud"}); nothing is fixed up with a
 * default and a warning.
 *
 * <p>String values may reference the environment as {@code ${NAME}} or {@code ${NAME:-default}}.
 */
public final class ConfigLoader {

    private static final Set<String> TOP_KEYS = Set.of("host", "port", "max_body_size", "shutdown_grace",
            "access_log", "state_secret", "strict", "fetch_max_size", "fetch_timeout", "fetch_private_addresses", "stream_first_byte_timeout",
            "stream_idle_timeout", "keepalive_interval", "request_read_timeout", "providers",
            "models", "auth", "admin_key", "allow_unauthenticated", "tenants", "keys", "store",
            "prices", "ledger", "ledger_retention", "ledger_spool", "ledger_spool_max",
            "redis", "redis_key_prefix", "redis_timeout", "limits_on_redis_failure", "limits_output_tokens",
            "budget_alerts", "routing", "watch_config", "cache", "metrics", "traces", "cors", "tls", "proxy", "no_proxy");
    private static final Set<String> PROVIDER_KEYS = Set.of("name", "type", "base_url", "api_key", "timeout",
            "connect_timeout", "organization", "project", "ca_file", "api", "passthrough", "limits", "api_keys",
            "api_version", "token_command", "token_file", "token_refresh", "location", "credentials", "region",
            "access_key_id", "secret_access_key", "session_token", "profile", "compat", "proxy");
    private static final Set<String> MODEL_KEYS = union(Set.of("name", "provider", "upstream_model", "max_tokens", "api",
            "chat_reasoning", "limits", "publisher", "cache"), RoutingReader.MODEL_KEYS);

    private final Function<String, String> env;
    private final List<String> problems = new ArrayList<>();

    private ConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    public static GatewayConfig load(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        return parse(text, env);
    }

    public static GatewayConfig parse(String yaml, Function<String, String> env) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JacksonException e) {
            throw new ConfigException(List.of("invalid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        }
        ConfigLoader loader = new ConfigLoader(env);
        GatewayConfig config = loader.read(root == null || root.isMissingNode() ? null : root);
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(loader.problems);
        }
        return config;
    }

    private GatewayConfig read(JsonNode root) {
        if (root == null || root.isNull()) {
            problems.add("(root): the configuration is empty");
            return null;
        }
        if (!root.isObject()) {
            problems.add("(root): expected a mapping of keys");
            return null;
        }
        unknownKeys(root, "", TOP_KEYS);
        ServerConfig server = new ServerConfig(
                string(root, "host", "").orElse("127.0.0.1"),
                integer(root, "port", "", 0, 65535).orElse(8080),
                size(root, "max_body_size", "").orElse(ServerConfig.DEFAULT_MAX_BODY_BYTES),
                duration(root, "shutdown_grace", "").orElse(ServerConfig.DEFAULT_SHUTDOWN_GRACE),
                bool(root, "access_log", "").orElse(true),
                bool(root, "strict", "").orElse(false),
                new MediaFetchConfig(size(root, "fetch_max_size", "").orElse(MediaFetchConfig.DEFAULT.maxBytes()),
                        duration(root, "fetch_timeout", "").orElse(MediaFetchConfig.DEFAULT.timeout()),
                        bool(root, "fetch_private_addresses", "").orElse(false)),
                new StreamConfig(
                        duration(root, "stream_first_byte_timeout", "").orElse(StreamConfig.DEFAULT.firstByteTimeout()),
                        duration(root, "stream_idle_timeout", "").orElse(StreamConfig.DEFAULT.idleTimeout()),
                        duration(root, "keepalive_interval", "").orElse(StreamConfig.DEFAULT.keepAlive())),
                duration(root, "request_read_timeout", "").orElse(ServerConfig.DEFAULT_REQUEST_READ_TIMEOUT));

        List<ProviderConfig> providers = new ArrayList<>();
        JsonNode ps = root.get("providers");
        if (ps == null || ps.isNull()) {
            problems.add("providers: at least one provider is required");
        } else if (!ps.isArray()) {
            problems.add("providers: expected a list");
        } else {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < ps.size(); i++) {
                ProviderConfig p = provider(ps.get(i), "providers[" + i + "]");
                if (p != null && !names.add(p.name())) {
                    problems.add("providers[" + i + "].name: duplicate provider \"" + p.name() + "\"");
                }
                if (p != null) {
                    providers.add(p);
                }
            }
        }

        List<ModelConfig> models = new ArrayList<>();
        JsonNode ms = root.get("models");
        if (ms != null && !ms.isNull() && !ms.isArray()) {
            problems.add("models: expected a list");
        } else if (ms != null && ms.isArray()) {
            Set<String> names = new HashSet<>();
            Set<String> providerNames = new HashSet<>();
            providers.forEach(p -> providerNames.add(p.name()));
            for (int i = 0; i < ms.size(); i++) {
                String path = "models[" + i + "]";
                ModelConfig m = model(ms.get(i), path);
                if (m == null) {
                    continue;
                }
                if (!providerNames.contains(m.provider()) && !ms.get(i).has("targets")) {
                    problems.add(path + ".provider: unknown provider \"" + m.provider() + "\"");
                }
                if (!names.add(m.name())) {
                    problems.add(path + ".name: duplicate model \"" + m.name() + "\"");
                }
                models.add(m);
            }
        }
        Optional<Secret> stateSecret = string(root, "state_secret", "").filter(s -> !s.isEmpty()).map(Secret::new);
        stateSecret.ifPresent(s -> {
            if (s.value().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    < GatewayConfig.MIN_STATE_SECRET_BYTES) {
                problems.add("state_secret: must be at least " + GatewayConfig.MIN_STATE_SECRET_BYTES
                        + " characters (use a long random value, e.g. openssl rand -base64 32)");
            }
        });
        AuthConfig auth = new AuthConfigReader(this).read(root, server.host(), providers);
        return new GatewayConfig(server, providers, models, stateSecret, auth, new LedgerConfigReader(this).read(root),
                LimitsReader.settings(this, root), BudgetAlertsConfig.read(this, root), RoutingReader.read(this, root, providers),
                new CacheConfigReader(this).read(root), new ObservabilityConfigReader(this).read(root),
                new NetworkConfigReader(this).read(root));
    }

    String env(String name) {
        return env.apply(name);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    void problem(String problem) {
        problems.add(problem);
    }

    private ProviderConfig provider(JsonNode node, String path) {
        if (!node.isObject()) {
            problems.add(path + ": expected a mapping");
            return null;
        }
        unknownKeys(node, path + ".", PROVIDER_KEYS);
        Optional<String> name = required(node, "name", path);
        Optional<String> typeName = required(node, "type", path);
        Optional<ProviderType> type = typeName.flatMap(t -> {
            Optional<ProviderType> found = ProviderType.fromWireName(t);
            if (found.isEmpty()) {
                problems.add(path + ".type: unknown provider type \"" + t
                        + "\" (expected openai, anthropic, gemini, azure_openai, vertex, bedrock or mock)");
            }
            return found;
        });
        Optional<String> baseUrl = string(node, "base_url", path + ".");
        baseUrl.ifPresent(u -> {
            if (!(u.startsWith("http://") || u.startsWith("https://"))) {
                problems.add(path + ".base_url: expected an http:// or https:// URL, got \"" + u + "\"");
            }
        });
        Optional<String> apiKey = string(node, "api_key", path + ".").or(() -> RoutingReader.firstPoolKey(this, node, path));
        if (type.isPresent() && PlatformConfigReader.needsApiKey(type.get(), node) && apiKey.map(String::isEmpty).orElse(true)) {
            problems.add(path + ".api_key: required for a provider of type " + type.get().wireName());
        }
        Duration timeout = duration(node, "timeout", path + ".").orElse(Duration.ofSeconds(600));
        Duration connectTimeout = duration(node, "connect_timeout", path + ".").orElse(Duration.ofSeconds(10));
        if (name.isEmpty() || type.isEmpty()) {
            return null;
        }
        PlatformConfig platform = new PlatformConfigReader(this).read(node, path, type.get());
        if (type.get() == ProviderType.AZURE_OPENAI && baseUrl.isEmpty()) {
            problems.add(path + ".base_url: required for a provider of type azure_openai (the resource endpoint)");
        }
        String base = baseUrl.orElse(PlatformConfigReader.defaultBaseUrl(type.get(), platform));
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        Optional<String> caFile = string(node, "ca_file", path + ".");
        caFile.ifPresent(f -> {
            if (!java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) {
                problems.add(path + ".ca_file: cannot read \"" + f + "\"");
            }
        });
        Optional<Boolean> passthrough = bool(node, "passthrough", path + ".");
        if (type.get() == ProviderType.MOCK && passthrough.orElse(false)) {
            problems.add(path + ".passthrough: the mock provider has no API of its own to pass through");
        }
        return new ProviderConfig(name.get(), type.get(), base, new Secret(apiKey.orElse("")), timeout,
                connectTimeout, string(node, "organization", path + "."), string(node, "project", path + "."), caFile,
                api(node, path + "."), passthrough.orElse(type.get().firstParty()), platform);
    }

    private ModelConfig model(JsonNode node, String path) {
        if (!node.isObject()) {
            problems.add(path + ": expected a mapping");
            return null;
        }
        unknownKeys(node, path + ".", MODEL_KEYS);
        Optional<String> name = required(node, "name", path);
        // A model group stands for its first target where one provider is asked for (limits, listings).
        JsonNode first = node.path("targets").path(0);
        Optional<String> provider = first.isObject() ? Optional.ofNullable(first.path("provider").textValue())
                : required(node, "provider", path);
        if (name.isEmpty() || provider.isEmpty()) {
            return null;
        }
        return new ModelConfig(name.get(), provider.get(),
                (first.isObject() ? Optional.ofNullable(first.path("upstream_model").textValue())
                        : string(node, "upstream_model", path + ".")).orElse(name.get()),
                integer(node, "max_tokens", path + ".", 1, Integer.MAX_VALUE), api(node, path + "."),
                chatReasoning(node, path + "."), string(node, "publisher", path + "."));
    }

    private ChatReasoning chatReasoning(JsonNode node, String prefix) {
        return string(node, "chat_reasoning", prefix).map(s -> ChatReasoning.fromWireName(s).orElseGet(() -> {
            problems.add(prefix + "chat_reasoning: expected reasoning_content or none, got \"" + s + "\"");
            return ChatReasoning.NONE;
        })).orElse(ChatReasoning.NONE);
    }

    private Optional<OpenAiApi> api(JsonNode node, String prefix) {
        return string(node, "api", prefix).flatMap(s -> {
            Optional<OpenAiApi> a = OpenAiApi.fromWireName(s);
            if (a.isEmpty()) {
                problems.add(prefix + "api: expected chat or responses, got \"" + s + "\"");
            }
            return a;
        });
    }

    void unknownKeys(JsonNode node, String prefix, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                problems.add(prefix + key + ": unknown key (expected one of " + known.stream().sorted().toList() + ")");
            }
        }
    }

    Optional<String> required(JsonNode node, String key, String path) {
        Optional<String> v = string(node, key, path + ".");
        if (v.isEmpty() && node.get(key) == null) {
            problems.add(path + "." + key + ": required");
        } else if (v.isPresent() && v.get().isBlank()) {
            problems.add(path + "." + key + ": must not be empty");
            return Optional.empty();
        }
        return v;
    }

    Optional<String> string(JsonNode node, String key, String prefix) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            problems.add(prefix + key + ": expected a value, got a " + (v.isArray() ? "list" : "mapping"));
            return Optional.empty();
        }
        return substitute(v.asText(), prefix + key);
    }

    private Optional<Integer> integer(JsonNode node, String key, String prefix, int min, int max) {
        return string(node, key, prefix).flatMap(s -> {
            try {
                int n = Integer.parseInt(s.trim());
                if (n < min || n > max) {
                    problems.add(prefix + key + ": must be between " + min + " and " + max + ", got " + n);
                    return Optional.empty();
                }
                return Optional.of(n);
            } catch (NumberFormatException e) {
                problems.add(prefix + key + ": expected an integer, got \"" + s + "\"");
                return Optional.empty();
            }
        });
    }

    Optional<Boolean> bool(JsonNode node, String key, String prefix) {
        return string(node, key, prefix).flatMap(s -> switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Optional.of(true);
            case "false", "no", "off" -> Optional.of(false);
            default -> {
                problems.add(prefix + key + ": expected true or false, got \"" + s + "\"");
                yield Optional.empty();
            }
        });
    }

    Optional<Duration> duration(JsonNode node, String key, String prefix) {
        return string(node, key, prefix).flatMap(s -> {
            Optional<Duration> d = Units.parseDuration(s);
            if (d.isEmpty()) {
                problems.add(prefix + key + ": expected a duration such as 30s, 1500ms or 10m, got \"" + s + "\"");
            }
            return d;
        });
    }

    Optional<Long> size(JsonNode node, String key, String prefix) {
        return string(node, key, prefix).flatMap(s -> {
            Optional<Long> d = Units.parseSize(s);
            if (d.isEmpty()) {
                problems.add(prefix + key + ": expected a size such as 32MiB, 512KiB or 1048576, got \"" + s + "\"");
            }
            return d;
        });
    }

    /** Replaces {@code ${NAME}} and {@code ${NAME:-default}}; an unset variable without default is a problem. */
    private Optional<String> substitute(String value, String path) {
        if (!value.contains("${")) {
            return Optional.of(value);
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            int end = value.indexOf('}', start);
            if (end < 0) {
                problems.add(path + ": unterminated ${ in \"" + value + "\"");
                return Optional.empty();
            }
            out.append(value, i, start);
            String expr = value.substring(start + 2, end);
            int sep = expr.indexOf(":-");
            String name = sep < 0 ? expr : expr.substring(0, sep);
            String fallback = sep < 0 ? null : expr.substring(sep + 2);
            String resolved = env.apply(name);
            if (resolved == null || (resolved.isEmpty() && fallback != null)) {
                if (fallback == null) {
                    problems.add(path + ": environment variable " + name + " is not set");
                    return Optional.empty();
                }
                resolved = fallback;
            }
            out.append(resolved);
            i = end + 1;
        }
        return Optional.of(out.toString());
    }

    /** For tests and callers that build a config from a map of variables. */
    public static Function<String, String> envOf(Map<String, String> vars) {
        return vars::get;
    }
}
