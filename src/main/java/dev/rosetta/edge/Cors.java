package dev.rosetta.edge;

import dev.rosetta.config.CorsConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin access to the client APIs, for browser apps (chat UIs, the official SDKs' browser
 * modes). Only there when {@code cors:} is configured. A preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) from an allowed origin is answered here, 204, with the methods
 * and the request headers asked for that the SDKs send (any other header is left out, and so refused by
 * the browser); a disallowed origin gets 403 and no CORS headers. An actual request from an allowed
 * origin gets its response marked readable by that origin, with the request-id and rate-limit headers
 * exposed. The admin API ({@code /admin}) and the console ({@code /ui}) never answer cross-origin.
 *
 * <p>Stateless once built; called on the event loop for every request before routing.
 */
public final class Cors {

    /** Named request headers the official SDKs send (lower case). */
    static final Set<String> HEADERS = Set.of("authorization", "content-type", "accept", "x-api-key",
            "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access", "x-goog-api-key",
            "x-goog-api-client", "x-goog-user-project", "openai-organization", "openai-project", "openai-beta",
            "idempotency-key", "x-request-id", "user-agent", "x-client-request-id");
    /** Header families the SDKs add to (e.g. {@code x-stainless-retry-count}, {@code x-goog-upload-command}). */
    static final List<String> HEADER_PREFIXES = List.of("x-stainless-", "x-goog-upload-");
    static final String EXPOSED = String.join(", ", List.of("x-request-id", "request-id", "x-rosetta-request-id",
            "x-rosetta-provider", "x-rosetta-dropped", "x-rosetta-token-count", "x-rosetta-chat-reasoning",
            "retry-after", "retry-after-ms", "openai-processing-ms", "openai-version",
            "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-requests",
            "x-ratelimit-remaining-tokens", "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens",
            "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-remaining",
            "anthropic-ratelimit-requests-reset", "anthropic-ratelimit-tokens-limit",
            "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-reset",
            "anthropic-ratelimit-input-tokens-limit", "anthropic-ratelimit-input-tokens-remaining",
            "anthropic-ratelimit-input-tokens-reset", "anthropic-ratelimit-output-tokens-limit",
            "anthropic-ratelimit-output-tokens-remaining", "anthropic-ratelimit-output-tokens-reset",
            "x-goog-upload-url", "x-goog-upload-status", "x-goog-upload-size-received"));
    static final String METHODS = "GET, POST, PUT, DELETE";
    /** A longer header list is not from an SDK: refused whole rather than parsed without bound. */
    private static final int MAX_REQUESTED_HEADERS = 64;

    private final CorsConfig config;
    private final Set<String> origins;
    private final String maxAge;

    public Cors(CorsConfig config) {
        this.config = config;
        this.origins = new HashSet<>(config.origins());
        this.maxAge = Long.toString(config.maxAge().toSeconds());
    }

    /**
     * Marks or answers a cross-origin request.
     *
     * @return true when the request has been answered here (a preflight), false to route it as usual
     */
    public boolean handle(HttpServerRequest req) {
        String origin = req.getHeader("origin");
        if (origin == null) {
            return false;
        }
        boolean preflight = req.method() == HttpMethod.OPTIONS && req.getHeader("access-control-request-method") != null;
        if (closed(req.path()) || !allowed(origin)) {
            if (preflight) {
                req.response().setStatusCode(403).putHeader("vary", "origin").putHeader("content-length", "0").end();
                return true;
            }
            return false;
        }
        HttpServerResponse r = req.response();
        MultiMap h = r.headers();
        h.set("access-control-allow-origin", config.anyOrigin() ? "*" : origin);
        if (!config.anyOrigin()) {
            h.set("vary", "origin");
        }
        if (config.credentials()) {
            h.set("access-control-allow-credentials", "true");
        }
        if (!preflight) {
            h.set("access-control-expose-headers", EXPOSED);
            return false;
        }
        h.set("access-control-allow-methods", METHODS);
        String asked = allowedHeaders(req.getHeader("access-control-request-headers"));
        if (!asked.isEmpty()) {
            h.set("access-control-allow-headers", asked);
        }
        h.set("access-control-max-age", maxAge);
        r.setStatusCode(204).end();
        return true;
    }

    private boolean allowed(String origin) {
        return config.anyOrigin() || origins.contains(origin.toLowerCase(Locale.ROOT));
    }

    /** The admin API and the console: same-origin only. */
    private static boolean closed(String path) {
        return path.equals("/admin") || path.startsWith("/admin/") || path.equals("/ui") || path.startsWith("/ui/");
    }

    /** The requested header names that are allowed, as the browser asked for them (lower case), comma-separated. */
    static String allowedHeaders(String requested) {
        if (requested == null || requested.isBlank()) {
            return "";
        }
        String[] names = requested.split(",", MAX_REQUESTED_HEADERS + 1);
        if (names.length > MAX_REQUESTED_HEADERS) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String n : names) {
            String name = n.trim().toLowerCase(Locale.ROOT);
            if (token(name) && (HEADERS.contains(name) || HEADER_PREFIXES.stream().anyMatch(name::startsWith))) {
                if (!out.isEmpty()) {
                    out.append(", ");
                }
                out.append(name);
            }
        }
        return out.toString();
    }

    /** An RFC 9110 token of letters, digits and dashes: nothing else is echoed back. */
    private static boolean token(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
