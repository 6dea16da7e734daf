package dev.rosetta.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Where tenants, keys and the audit trail are kept ({@code store:}): {@code sqlite:PATH} (one file, the
 * default with {@code auth: keys}; {@code sqlite::memory:} keeps nothing across restarts) or
 * {@code postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]}, which replicas share.
 *
 * @param jdbcUrl without credentials
 * @param schema PostgreSQL only: the schema to use (created by the migrations when missing)
 */
public record StoreLocation(Kind kind, String jdbcUrl, Optional<String> user, Optional<Secret> password,
                            Optional<String> schema) {

    public enum Kind { SQLITE, POSTGRESQL }

    public static final StoreLocation DEFAULT = new StoreLocation(Kind.SQLITE, "jdbc:sqlite:rosetta.db",
            Optional.empty(), Optional.empty(), Optional.empty());

    public StoreLocation {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    }

    /** The location as a problem message or a log line may show it: never the password. */
    public String display() {
        return jdbcUrl.replaceFirst("^jdbc:", "") + user.map(u -> " as " + u).orElse("")
                + schema.map(s -> " schema " + s).orElse("");
    }

    /** @return the location, or a problem description */
    static java.util.function.Supplier<StoreLocation> parse(String text, java.util.function.Consumer<String> problem) {
        String s = text.trim();
        if (s.startsWith("sqlite:")) {
            String path = s.substring("sqlite:".length());
            if (path.isEmpty()) {
                problem.accept("expected sqlite:PATH, e.g. sqlite:rosetta.db");
                return null;
            }
            // An in-memory database lives as long as a connection to it: a named, shared-cache one lets the
            // migrations' connection and the store's see the same database.
            String url = path.equals(":memory:")
                    ? "jdbc:sqlite:file:rosetta-" + java.util.UUID.randomUUID() + "?mode=memory&cache=shared"
                    : "jdbc:sqlite:" + path;
            return () -> new StoreLocation(Kind.SQLITE, url, Optional.empty(), Optional.empty(), Optional.empty());
        }
        if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
            String rest = s.substring(s.indexOf("://") + 3);
            Optional<String> user = Optional.empty();
            Optional<Secret> password = Optional.empty();
            int at = rest.lastIndexOf('@');
            if (at >= 0) {
                String cred = rest.substring(0, at);
                rest = rest.substring(at + 1);
                int colon = cred.indexOf(':');
                user = Optional.of(decode(colon < 0 ? cred : cred.substring(0, colon))).filter(u -> !u.isEmpty());
                if (colon >= 0) {
                    password = Optional.of(new Secret(decode(cred.substring(colon + 1))));
                }
            }
            Optional<String> schema = Optional.empty();
            int q = rest.indexOf('?');
            if (q >= 0) {
                for (String param : rest.substring(q + 1).split("&")) {
                    if (param.startsWith("schema=") && param.length() > 7) {
                        schema = Optional.of(decode(param.substring(7)));
                    } else {
                        problem.accept("unknown parameter \"" + param.split("=")[0] + "\" (only schema= is read)");
                        return null;
                    }
                }
                rest = rest.substring(0, q);
            }
            int slash = rest.indexOf('/');
            if (slash <= 0 || slash == rest.length() - 1) {
                problem.accept("expected postgresql://USER@HOST[:PORT]/DATABASE");
                return null;
            }
            if (schema.isPresent() && !schema.get().matches("[a-z_][a-z0-9_]{0,62}")) {
                problem.accept("schema must be lowercase letters, digits and _");
                return null;
            }
            String url = "jdbc:postgresql://" + rest;
            Optional<String> u = user;
            Optional<Secret> p = password;
            Optional<String> sc = schema;
            return () -> new StoreLocation(Kind.POSTGRESQL, url, u, p, sc);
        }
        problem.accept("expected sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
        return null;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
