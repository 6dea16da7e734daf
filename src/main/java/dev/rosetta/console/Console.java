package dev.rosetta.console;

import dev.rosetta.config.GatewayConfig;
import dev.rosetta.config.ModelConfig;
import dev.rosetta.config.ProviderConfig;
import dev.rosetta.config.Secret;
import dev.rosetta.pipeline.CompletionListener;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web console at {@code /ui}, for whoever holds the admin key: a sign-in page that trades the key
 * for a session cookie ({@code HttpOnly}, {@code SameSite=Strict}, {@code Secure} over TLS, expiring),
 * then small pages whose script calls the admin API ({@code /admin/v1}) with that cookie and a CSRF
 * header, and the console's own read-only endpoints: recent statistics, the live tail (server-sent
 * events) and the configured providers. The admin API stays the one way to change anything: a call
 * with a valid session is handed to it as if it carried the admin key.
 *
 * <p>Runs on the event loop of each request; nothing here blocks. Pages and scripts are read from the
 * jar once, at start; the chart library (uPlot) comes from its WebJar.
 */
public final class Console {

    static final String COOKIE = "rosetta_console";
    static final String CSRF_HEADER = "x-rosetta-csrf";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private final GatewayConfig config;
    private final Optional<byte[]> adminKeyHash;
    private final String adminKey;
    private final ConsoleSessions sessions;
    private final LiveFeed live;
    private final RecentStats stats;
    private final Map<String, Asset> assets;
    private final byte[] login;
    private final String app;

    private record Asset(String type, byte[] body) {
    }

    public Console(GatewayConfig config, Clock clock) {
        this.config = config;
        Optional<Secret> key = config.auth().adminKey();
        this.adminKey = key.map(Secret::value).orElse("");
        this.adminKeyHash = key.map(k -> sha256(k.value()));
        this.sessions = new ConsoleSessions(clock);
        this.live = new LiveFeed(config);
        this.stats = new RecentStats(config, clock);
        this.assets = Map.of(
                "app.js", new Asset("text/javascript; charset=utf-8", resource("console/app.js")),
                "app.css", new Asset("text/css; charset=utf-8", resource("console/app.css")),
                "logo.svg", new Asset("image/svg+xml", resource("console/logo.svg")),
                "uPlot.js", new Asset("text/javascript; charset=utf-8", resource(uplot("uPlot.iife.min.js"))),
                "uPlot.css", new Asset("text/css; charset=utf-8", resource(uplot("uPlot.min.css"))));
        this.login = resource("console/login.html");
        this.app = new String(resource("console/app.html"), StandardCharsets.UTF_8);
    }

    private static String uplot(String file) {
        return UPLOT + file;
    }

    /** The console's listeners: the live tail and the recent statistics. */
    public List<CompletionListener> listeners() {
        return List.of(stats, live);
    }

    /**
     * Serves {@code /ui...}, or lets a console call to {@code /admin/} through to {@code next} with the
     * admin key; anything else goes to {@code next} untouched.
     */
    public Handler<HttpServerRequest> front(Vertx vertx, Handler<HttpServerRequest> next) {
        return req -> {
            String path = req.path();
            if (path.equals("/ui") || path.startsWith("/ui/")) {
                serve(req);
            } else if (path.startsWith("/admin/") && req.getHeader("authorization") == null && cookie(req) != null) {
                if (session(req, req.getHeader(CSRF_HEADER)).isPresent()) {
                    req.headers().set("authorization", "Bearer " + adminKey);
                }
                next.handle(req); // without a valid session, the admin API refuses it as usual
            } else {
                next.handle(req);
            }
        };
    }

    private void serve(HttpServerRequest req) {
        HttpServerResponse r = req.response();
        secure(r);
        if (adminKeyHash.isEmpty()) {
            text(r, 404, "The console needs auth: keys and admin_key in the configuration.");
            return;
        }
        String path = req.path();
        HttpMethod m = req.method();
        if (path.equals("/ui")) {
            redirect(r, "/ui/");
        } else if (path.equals("/ui/login") && m == HttpMethod.GET) {
            html(r, 200, login);
        } else if (path.equals("/ui/login") && m == HttpMethod.POST) {
            signIn(req);
        } else if (path.equals("/ui/logout") && m == HttpMethod.POST) {
            if (session(req, req.getHeader(CSRF_HEADER)).isPresent()) {
                sessions.end(cookie(req));
            }
            r.putHeader("set-cookie", cookieHeader(req, "", 0));
            r.setStatusCode(204).end();
        } else if (path.startsWith("/ui/static/") && m == HttpMethod.GET) {
            Asset a = assets.get(path.substring("/ui/static/".length()));
            if (a == null) {
                text(r, 404, "not found");
            } else {
                r.putHeader("content-type", a.type).putHeader("cache-control", "private, max-age=300").end(Buffer.buffer(a.body));
            }
        } else if (path.equals("/ui/") && m == HttpMethod.GET) {
            Optional<ConsoleSessions.Session> s = sessions.find(cookie(req));
            if (s.isEmpty()) {
                redirect(r, "/ui/login");
            } else {
                html(r, 200, app.replace("{{csrf}}", s.get().csrf()).getBytes(StandardCharsets.UTF_8));
            }
        } else if (path.startsWith("/ui/api/") && m == HttpMethod.GET) {
            // An EventSource cannot send headers: the live tail takes the CSRF token as a parameter.
            String csrf = req.getHeader(CSRF_HEADER) != null ? req.getHeader(CSRF_HEADER) : req.getParam("csrf");
            if (session(req, csrf).isEmpty()) {
                json(r, 401, "{\"error\":{\"type\":\"unauthorized\",\"message\":\"sign in to the console\"}}");
                return;
            }
            api(req, path.substring("/ui/api/".length()));
        } else {
            text(r, 404, "not found");
        }
    }

    private void api(HttpServerRequest req, String what) {
        HttpServerResponse r = req.response();
        switch (what) {
            case "stats" -> json(r, 200, stats.json().toString());
            case "recent" -> {
                StringBuilder sb = new StringBuilder("{\"data\":[");
                List<LiveFeed.Event> events = live.recent();
                for (int i = 0; i < events.size(); i++) {
                    sb.append(i == 0 ? "" : ",").append(events.get(i).json());
                }
                json(r, 200, sb.append("]}").toString());
            }
            case "live" -> {
                r.putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-store")
                        .setChunked(true);
                if (!live.watch(io.vertx.core.Vertx.currentContext(), r)) {
                    r.setStatusCode(503).end();
                    return;
                }
                r.write(": watching\n\n");
            }
            case "providers" -> json(r, 200, providers());
            default -> text(r, 404, "not found");
        }
    }

    /** The configured providers and models: names, types and hosts, never a key. */
    private String providers() {
        var f = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        var o = f.objectNode();
        var ps = o.putArray("providers");
        for (ProviderConfig p : config.providers()) {
            var j = ps.addObject().put("name", p.name()).put("type", p.type().wireName())
                    .put("passthrough", p.passthrough()).put("timeout_s", p.timeout().toSeconds());
            try {
                j.put("host", p.baseUrl().isEmpty() ? "" : java.net.URI.create(p.baseUrl()).getHost());
            } catch (IllegalArgumentException e) {
                j.put("host", "");
            }
        }
        var ms = o.putArray("models");
        for (ModelConfig mc : config.models()) {
            ms.addObject().put("name", mc.name()).put("provider", mc.provider())
                    .put("upstream_model", mc.upstreamModel());
        }
        return o.toString();
    }

    private void signIn(HttpServerRequest req) {
        HttpServerResponse r = req.response();
        String address = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
        if (sessions.throttled(address)) {
            r.putHeader("retry-after", "60");
            html(r, 429, login);
            return;
        }
        if (!sameOrigin(req)) {
            text(r, 403, "cross-origin sign-in refused");
            return;
        }
        String length = req.getHeader("content-length");
        if (length == null || !length.matches("\\d{1,4}")) {
            text(r, 413, "sign-in form too large");
            return;
        }
        req.body().onSuccess(body -> {
            String key = formField(body.toString(StandardCharsets.UTF_8), "admin_key");
            if (key.isEmpty() || !MessageDigest.isEqual(sha256(key), adminKeyHash.get())) {
                sessions.failed(address);
                redirect(r, "/ui/login?failed");
                return;
            }
            Map.Entry<String, String> s = sessions.create();
            r.putHeader("set-cookie", cookieHeader(req, s.getKey(), ConsoleSessions.LIFETIME.toSeconds()));
            redirect(r, "/ui/");
        }).onFailure(e -> r.reset());
    }

    /** A browser's POST names its origin; one from elsewhere is refused (on top of SameSite=Strict). */
    private static boolean sameOrigin(HttpServerRequest req) {
        String origin = req.getHeader("origin");
        if (origin == null || origin.equals("null")) {
            return origin == null;
        }
        String host = req.authority() == null ? req.getHeader("host") : req.authority().toString();
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    private Optional<ConsoleSessions.Session> session(HttpServerRequest req, String csrf) {
        return sessions.verify(cookie(req), csrf);
    }

    private static String cookie(HttpServerRequest req) {
        io.vertx.core.http.Cookie c = req.getCookie(COOKIE);
        return c == null ? null : c.getValue();
    }

    private static String cookieHeader(HttpServerRequest req, String value, long maxAge) {
        return COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAge + "; HttpOnly; SameSite=Strict"
                + (req.isSSL() ? "; Secure" : "");
    }

    private static String formField(String form, String name) {
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).trim();
            }
        }
        return "";
    }

    private static void secure(HttpServerResponse r) {
        r.putHeader("content-security-policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                        + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
                .putHeader("x-frame-options", "DENY").putHeader("x-content-type-options", "nosniff")
                .putHeader("referrer-policy", "same-origin"); // no-referrer would make a form post's Origin "null"
    }

    private static void redirect(HttpServerResponse r, String to) {
        r.setStatusCode(303).putHeader("location", to).putHeader("cache-control", "no-store").end();
    }

    private static void html(HttpServerResponse r, int status, byte[] body) {
        r.setStatusCode(status).putHeader("content-type", "text/html; charset=utf-8").putHeader("cache-control", "no-store")
                .end(Buffer.buffer(body));
    }

    private static void json(HttpServerResponse r, int status, String body) {
        r.setStatusCode(status).putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
                .end(body);
    }

    private static void text(HttpServerResponse r, int status, String body) {
        r.setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8").end(body);
    }

    private static byte[] resource(String path) {
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
