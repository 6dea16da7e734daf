package dev.rosetta.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@code cors}, {@code tls}, {@code proxy} and {@code no_proxy} sections and each provider's
 * {@code proxy}; without {@code proxy} and {@code no_proxy}, the proxy environment variables
 * ({@code HTTPS_PROXY}, {@code HTTP_PROXY}, {@code NO_PROXY}, upper or lower case, upper first).
 */
final class NetworkConfigReader {

    private static final Set<String> CORS_KEYS = Set.of("origins", "max_age", "credentials");
    private static final Set<String> TLS_KEYS = Set.of("cert", "key", "pkcs12", "password", "check_interval");

    private final ConfigLoader loader;

    NetworkConfigReader(ConfigLoader loader) {
        this.loader = loader;
    }

    NetworkConfig read(JsonNode root) {
        return new NetworkConfig(cors(root.get("cors")), tls(root.get("tls")), egress(root));
    }

    private Optional<CorsConfig> cors(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            loader.problem("cors: expected a mapping with origins, max_age and credentials");
            return Optional.empty();
        }
        loader.unknownKeys(node, "cors.", CORS_KEYS);
        List<String> origins = new ArrayList<>();
        JsonNode list = node.get("origins");
        if (list == null || !list.isArray() || list.isEmpty()) {
            loader.problem("cors.origins: required, a list of origins such as [\"https://app.example.com\"] or [\"*\"]");
        } else {
            for (int i = 0; i < list.size(); i++) {
                String path = "cors.origins[" + i + "]";
                String o = list.get(i).asText("").trim();
                if (o.equals("*")) {
                    origins.add(o);
                } else if (!validOrigin(o)) {
                    loader.problem(path + ": expected an origin such as https://app.example.com (scheme, host and"
                            + " optional port, no path), got \"" + o + "\"");
                } else {
                    origins.add(o.toLowerCase(Locale.ROOT));
                }
            }
        }
        boolean credentials = loader.bool(node, "credentials", "cors.").orElse(false);
        if (credentials && origins.contains("*")) {
            loader.problem("cors.origins: \"*\" is not allowed with credentials: true (name the origins)");
        }
        return Optional.of(new CorsConfig(origins, loader.duration(node, "max_age", "cors.")
                .orElse(CorsConfig.DEFAULT_MAX_AGE), credentials));
    }

    private static boolean validOrigin(String o) {
        try {
            URI u = URI.create(o);
            return (u.getScheme() != null && (u.getScheme().equals("http") || u.getScheme().equals("https")))
                    && u.getHost() != null && (u.getRawPath() == null || u.getRawPath().isEmpty())
                    && u.getRawQuery() == null && u.getRawUserInfo() == null && u.getRawFragment() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Optional<TlsConfig> tls(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isObject()) {
            loader.problem("tls: expected a mapping with cert and key, or pkcs12 and password");
            return Optional.empty();
        }
        loader.unknownKeys(node, "tls.", TLS_KEYS);
        Optional<Path> cert = file(node, "cert");
        Optional<Path> key = file(node, "key");
        Optional<Path> pkcs12 = file(node, "pkcs12");
        Optional<Secret> password = loader.string(node, "password", "tls.").map(Secret::new);
        if (pkcs12.isPresent() && (cert.isPresent() || key.isPresent())) {
            loader.problem("tls: either cert and key, or pkcs12, not both");
        } else if (pkcs12.isEmpty() && (cert.isEmpty() || key.isEmpty())) {
            loader.problem("tls: needs cert and key (PEM files), or pkcs12 (and its password)");
        }
        if (password.isPresent() && pkcs12.isEmpty()) {
            loader.problem("tls.password: only for a pkcs12 file");
        }
        return Optional.of(new TlsConfig(cert, key, pkcs12, password,
                loader.duration(node, "check_interval", "tls.").orElse(TlsConfig.DEFAULT_CHECK_INTERVAL)));
    }

    private Optional<Path> file(JsonNode node, String key) {
        return loader.string(node, key, "tls.").filter(s -> !s.isBlank()).map(Path::of).map(p -> {
            if (!Files.isReadable(p)) {
                loader.problem("tls." + key + ": cannot read \"" + p + "\"");
            }
            return p;
        });
    }

    private EgressConfig egress(JsonNode root) {
        Optional<ProxyUri> global = loader.string(root, "proxy", "").filter(s -> !s.isBlank())
                .flatMap(s -> proxy(s, "proxy", loader::problem));
        Optional<List<String>> noProxy = noProxy(root.get("no_proxy"));
        EgressConfig fromEnv = fromEnvironment(loader::env, loader::problem);
        Map<String, Optional<ProxyUri>> providers = new HashMap<>();
        JsonNode ps = root.get("providers");
        if (ps != null && ps.isArray()) {
            for (int i = 0; i < ps.size(); i++) {
                JsonNode p = ps.get(i);
                String path = "providers[" + i + "]";
                Optional<String> value = p.isObject() ? loader.string(p, "proxy", path + ".") : Optional.empty();
                if (value.isPresent() && p.hasNonNull("name")) {
                    String v = value.get().trim();
                    providers.put(p.get("name").asText(), v.equalsIgnoreCase("direct") || v.isEmpty() ? Optional.empty()
                            : proxy(v, path + ".proxy", loader::problem));
                }
            }
        }
        return new EgressConfig(global.or(fromEnv::http), global.or(fromEnv::https), noProxy.orElse(fromEnv.noProxy()),
                providers);
    }

    private Optional<List<String>> noProxy(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isArray()) {
            List<String> out = new ArrayList<>();
            node.forEach(n -> out.addAll(split(n.asText(""))));
            return Optional.of(out);
        }
        if (!node.isValueNode()) {
            loader.problem("no_proxy: expected a list of hosts, domains and CIDR ranges, or one comma-separated string");
            return Optional.empty();
        }
        return Optional.of(split(node.asText("")));
    }

    /** The proxy environment variables as curl reads them; problems name the variable. */
    static EgressConfig fromEnvironment(Function<String, String> env, Consumer<String> problems) {
        Optional<ProxyUri> https = variable(env, "HTTPS_PROXY").flatMap(v -> proxy(v.value, v.name, problems));
        Optional<ProxyUri> http = variable(env, "HTTP_PROXY").flatMap(v -> proxy(v.value, v.name, problems));
        List<String> noProxy = variable(env, "NO_PROXY").map(v -> split(v.value)).orElse(List.of());
        return new EgressConfig(http, https, noProxy, Map.of());
    }

    private record Variable(String name, String value) {
    }

    private static Optional<Variable> variable(Function<String, String> env, String upper) {
        for (String name : List.of(upper, upper.toLowerCase(Locale.ROOT))) {
            String v = env.apply(name);
            if (v != null && !v.isBlank()) {
                return Optional.of(new Variable(name, v.trim()));
            }
        }
        return Optional.empty();
    }

    private static Optional<ProxyUri> proxy(String value, String path, Consumer<String> problems) {
        try {
            return Optional.of(ProxyUri.parse(value));
        } catch (IllegalArgumentException e) {
            // the value may hold a password: only the reason is reported
            problems.accept(path + ": not a usable proxy URL (" + e.getMessage() + "); expected http://[user:password@]host:port");
            return Optional.empty();
        }
    }

    private static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        for (String part : s.split("[,\\s]+")) {
            if (!part.isBlank()) {
                out.add(part.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }
}
