package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.auth.KeySecret;
import dev.rosetta.auth.ModelPatterns;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code auth}, {@code admin_key}, {@code allow_unauthenticated}, {@code tenants} and {@code keys}
 * sections, with problems reported through the {@link ConfigLoader} that owns the file.
 */
final class AuthConfigReader {

    private static final Set<String> TENANT_KEYS = Set.of("name", "models", "metadata", "disabled", "passthrough",
            "limits", "model_limits", "budget");
    private static final Set<String> KEY_KEYS = Set.of("name", "tenant", "key", "models", "expires_at", "disabled",
            "passthrough", "metadata", "limits", "model_limits", "budget");
    /** Names appear in logs, metrics and admin URLs: kept to a safe alphabet. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MIN_ADMIN_KEY = 32;

    private final ConfigLoader loader;

    AuthConfigReader(ConfigLoader loader) {
        this.loader = loader;
    }

    AuthConfig read(JsonNode root, String host, List<ProviderConfig> providers) {
        Optional<AuthConfig.Mode> mode = loader.string(root, "auth", "").flatMap(s -> switch (s.trim()) {
            case "none" -> Optional.of(AuthConfig.Mode.NONE);
            case "keys" -> Optional.of(AuthConfig.Mode.KEYS);
            default -> {
                loader.problem("auth: expected none or keys, got \"" + s + "\"");
                yield Optional.empty();
            }
        });
        boolean allowOpen = loader.bool(root, "allow_unauthenticated", "").orElse(false);
        Optional<Secret> adminKey = loader.string(root, "admin_key", "").filter(s -> !s.isEmpty()).map(Secret::new);
        adminKey.ifPresent(k -> {
            if (k.value().length() < MIN_ADMIN_KEY) {
                loader.problem("admin_key: must be at least " + MIN_ADMIN_KEY
                        + " characters (use a long random value, e.g. openssl rand -base64 32)");
            }
        });
        List<AuthConfig.TenantConfig> tenants = tenants(root.get("tenants"));
        List<AuthConfig.KeyConfig> keys = keys(root.get("keys"), tenants);
        AuthConfig.Mode m = mode.orElse(AuthConfig.Mode.NONE);
        StoreLocation store = loader.string(root, "store", "").map(s -> {
            java.util.function.Supplier<StoreLocation> parsed = StoreLocation.parse(s,
                    p -> loader.problem("store: " + p));
            if (parsed != null && m == AuthConfig.Mode.NONE) {
                loader.problem("store: only used with auth: keys (remove it, or set auth: keys)");
            }
            return parsed == null ? StoreLocation.DEFAULT : parsed.get();
        }).orElse(StoreLocation.DEFAULT);
        if (m == AuthConfig.Mode.NONE) {
            if (!tenants.isEmpty() || !keys.isEmpty()) {
                loader.problem((tenants.isEmpty() ? "keys" : "tenants") + ": declared, but auth is none"
                        + " (set auth: keys for them to be required)");
            }
            refuseOpenBeyondLoopback(host, allowOpen);
        } else if (allowOpen) {
            loader.problem("allow_unauthenticated: only means something with auth: none (remove it)");
        }
        for (ProviderConfig p : providers) {
            adminKey.filter(k -> k.value().equals(p.apiKey().value())).ifPresent(k ->
                    loader.problem("admin_key: must not be a provider's api_key"));
        }
        adminKey.ifPresent(a -> keys.stream().filter(k -> k.key().value().equals(a.value())).findFirst()
                .ifPresent(k -> loader.problem("admin_key: must not be a client key (it is keys \"" + k.name()
                        + "\")")));
        return new AuthConfig(m, adminKey, allowOpen, tenants, keys, store);
    }

    private void refuseOpenBeyondLoopback(String host, boolean allowOpen) {
        if (allowOpen || loopback(host)) {
            return;
        }
        loader.problem("auth: none (the default) on host " + host + ", which is not a loopback address:"
                + " anyone who can reach the port would spend the configured provider keys. Set auth: keys"
                + " (and give callers gateway keys), or, if something in front of Rosetta already authenticates"
                + " every caller, set allow_unauthenticated: true");
    }

    /** Whether every address {@code host} names is a loopback one (a literal is not looked up). */
    static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            InetAddress[] all = InetAddress.getAllByName(h);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private List<AuthConfig.TenantConfig> tenants(JsonNode list) {
        List<AuthConfig.TenantConfig> out = new ArrayList<>();
        if (!isList(list, "tenants")) {
            return out;
        }
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "tenants[" + i + "]";
            JsonNode node = list.get(i);
            if (!node.isObject()) {
                loader.problem(path + ": expected a mapping");
                continue;
            }
            loader.unknownKeys(node, path + ".", TENANT_KEYS);
            Optional<String> name = name(node, path);
            Optional<List<String>> models = models(node.get("models"), path + ".models");
            Map<String, String> metadata = metadata(node.get("metadata"), path + ".metadata");
            boolean disabled = loader.bool(node, "disabled", path + ".").orElse(false);
            boolean passthrough = loader.bool(node, "passthrough", path + ".").orElse(false);
            if (name.isPresent() && !names.add(name.get())) {
                loader.problem(path + ".name: duplicate tenant \"" + name.get() + "\"");
            } else {
                dev.rosetta.limits.LimitPolicy limits = LimitsReader.policy(node, path + ".", loader::problem);
                name.ifPresent(n -> out.add(new AuthConfig.TenantConfig(n, models, metadata, disabled, passthrough,
                        limits)));
            }
        }
        return out;
    }

    private List<AuthConfig.KeyConfig> keys(JsonNode list, List<AuthConfig.TenantConfig> tenants) {
        List<AuthConfig.KeyConfig> out = new ArrayList<>();
        if (!isList(list, "keys")) {
            return out;
        }
        Map<String, AuthConfig.TenantConfig> byName = new HashMap<>();
        tenants.forEach(t -> byName.put(t.name(), t));
        Map<String, String> secrets = new HashMap<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "keys[" + i + "]";
            JsonNode node = list.get(i);
            if (!node.isObject()) {
                loader.problem(path + ": expected a mapping");
                continue;
            }
            loader.unknownKeys(node, path + ".", KEY_KEYS);
            Optional<String> name = name(node, path);
            Optional<String> tenant = loader.required(node, "tenant", path);
            Optional<String> secret = loader.required(node, "key", path);
            Optional<List<String>> models = models(node.get("models"), path + ".models");
            Optional<Instant> expires = loader.string(node, "expires_at", path + ".").flatMap(s -> instant(s,
                    path + ".expires_at"));
            boolean disabled = loader.bool(node, "disabled", path + ".").orElse(false);
            Map<String, String> metadata = metadata(node.get("metadata"), path + ".metadata");
            if (name.isPresent() && !names.add(name.get())) {
                loader.problem(path + ".name: duplicate key \"" + name.get() + "\"");
            }
            AuthConfig.TenantConfig owner = tenant.map(byName::get).orElse(null);
            if (tenant.isPresent() && owner == null) {
                loader.problem(path + ".tenant: unknown tenant \"" + tenant.get() + "\"");
            }
            // The secret itself is never echoed: only where it is and what is wrong with it.
            secret.ifPresent(s -> {
                if (!KeySecret.wellFormed(s)) {
                    loader.problem(path + ".key: not a gateway key (expected rk-... with a valid checksum;"
                            + " make one with: ./rosetta new-key)");
                } else {
                    String other = secrets.putIfAbsent(s, name.orElse("?"));
                    if (other != null) {
                        loader.problem(path + ".key: the same secret as key \"" + other + "\"");
                    }
                }
            });
            if (owner != null && models.isPresent()) {
                ModelPatterns allowed = ModelPatterns.of(owner.models());
                List<String> ms = models.get();
                for (int j = 0; j < ms.size(); j++) {
                    if (!allowed.covers(ms.get(j))) {
                        loader.problem(path + ".models[" + j + "]: \"" + ms.get(j) + "\" is not within tenant \""
                                + owner.name() + "\"'s models " + owner.models().orElseThrow()
                                + " (a key can only narrow its tenant's models)");
                    }
                }
            }
            dev.rosetta.limits.LimitPolicy limits = LimitsReader.policy(node, path + ".", loader::problem);
            if (name.isPresent() && owner != null && secret.isPresent()) {
                out.add(new AuthConfig.KeyConfig(name.get(), owner.name(), new Secret(secret.get()), models, expires,
                        disabled, metadata, loader.bool(node, "passthrough", path + ".").orElse(true), limits));
            }
        }
        return out;
    }

    private boolean isList(JsonNode list, String path) {
        if (list == null || list.isNull()) {
            return false;
        }
        if (!list.isArray()) {
            loader.problem(path + ": expected a list");
            return false;
        }
        return true;
    }

    private Optional<String> name(JsonNode node, String path) {
        Optional<String> name = loader.required(node, "name", path);
        if (name.isPresent() && !NAME.matcher(name.get()).matches()) {
            loader.problem(path + ".name: \"" + name.get() + "\" must be 1-64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
            return Optional.empty();
        }
        return name;
    }

    private Optional<List<String>> models(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isArray()) {
            loader.problem(path + ": expected a list of model names or name* patterns");
            return Optional.empty();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode m = node.get(i);
            String s = m.isValueNode() ? m.asText().trim() : "";
            if (s.isEmpty() || s.indexOf('*') >= 0 && s.indexOf('*') != s.length() - 1) {
                loader.problem(path + "[" + i + "]: expected a model name, or a prefix ending in *");
            } else {
                out.add(s);
            }
        }
        return Optional.of(out);
    }

    private Map<String, String> metadata(JsonNode node, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            loader.problem(path + ": expected a mapping of names to values");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                loader.problem(path + "." + e.getKey() + ": expected a value");
            } else {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }

    private Optional<Instant> instant(String s, String path) {
        try {
            return Optional.of(Instant.parse(s.trim()));
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(LocalDate.parse(s.trim()).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeParseException e2) {
                loader.problem(path + ": expected a UTC time such as 2026-03-01T00:00:00Z or a date such as"
                        + " 2026-03-01, got \"" + s + "\"");
                return Optional.empty();
            }
        }
    }
}
