package dev.rosetta.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.testing.MovableClock;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's sign-in, session cookie and CSRF rules, over plain HTTP (no browser). */
class ConsoleSecurityTest {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private TestGateway gateway;

    @AfterEach
    void close() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> signIn(String key, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + "/ui/login"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("admin_key=" + java.net.URLEncoder.encode(key,
                        java.nio.charset.StandardCharsets.UTF_8)));
        if (origin != null) {
            b.header("origin", origin);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminKeyBuysAnHttpOnlyStrictCookieAndEveryCallNeedsItsCsrfToken() throws Exception {
        gateway = TestGateway.withKeys();
        HttpResponse<String> page = get("/ui/");
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("location")).hasValue("/ui/login");
        assertThat(get("/ui/login").headers().firstValue("content-security-policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'"));

        HttpResponse<String> wrong = signIn("admin-wrong", gateway.url());
        assertThat(wrong.statusCode()).isEqualTo(303);
        assertThat(wrong.headers().firstValue("location")).hasValue("/ui/login?failed");
        assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
        assertThat(signIn(TestGateway.ADMIN_KEY, "https://evil.example").statusCode()).isEqualTo(403);

        HttpResponse<String> ok = signIn(TestGateway.ADMIN_KEY, gateway.url());
        assertThat(ok.statusCode()).isEqualTo(303);
        String setCookie = ok.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).startsWith(Console.COOKIE + "=").contains("; HttpOnly").contains("; SameSite=Strict")
                .contains("; Path=/").contains("; Max-Age=43200").doesNotContain("Secure"); // plain HTTP here
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> app = get("/ui/", "cookie", cookie);
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(app.body()).doesNotContain(TestGateway.ADMIN_KEY);
        Matcher m = Pattern.compile("name=\"rosetta-csrf\" content=\"([A-Za-z0-9_-]{43})\"").matcher(app.body());
        assertThat(m.find()).isTrue();
        String csrf = m.group(1);

        // the cookie alone acts on nothing: a cross-site page can send it (SameSite aside) but not the header
        assertThat(get("/ui/api/stats", "cookie", cookie).statusCode()).isEqualTo(401);
        assertThat(get("/admin/v1/tenants", "cookie", cookie).statusCode()).isEqualTo(401);
        assertThat(get("/admin/v1/tenants", "cookie", cookie, Console.CSRF_HEADER, "wrong").statusCode()).isEqualTo(401);
        assertThat(get("/ui/api/stats", "cookie", cookie, Console.CSRF_HEADER, csrf).statusCode()).isEqualTo(200);
        HttpResponse<String> tenants = get("/admin/v1/tenants", "cookie", cookie, Console.CSRF_HEADER, csrf);
        assertThat(tenants.statusCode()).isEqualTo(200);
        assertThat(tenants.body()).contains("team-a");
        // another session's token does not fit this cookie
        String other = signIn(TestGateway.ADMIN_KEY, null).headers().firstValue("set-cookie").orElseThrow();
        assertThat(get("/admin/v1/tenants", "cookie", other.substring(0, other.indexOf(';')), Console.CSRF_HEADER, csrf)
                .statusCode()).isEqualTo(401);

        // signing out ends the session
        HttpResponse<String> out = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/ui/logout"))
                .header("cookie", cookie).header(Console.CSRF_HEADER, csrf).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("set-cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
        assertThat(get("/admin/v1/tenants", "cookie", cookie, Console.CSRF_HEADER, csrf).statusCode()).isEqualTo(401);
    }

    @Test
    void repeatedWrongKeysFromOneAddressAreThrottled() throws Exception {
        gateway = TestGateway.withKeys();
        for (int i = 0; i < ConsoleSessions.MAX_FAILURES; i++) {
            assertThat(signIn("wrong-" + i, null).statusCode()).isEqualTo(303);
        }
        HttpResponse<String> r = signIn(TestGateway.ADMIN_KEY, null);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("set-cookie")).isEmpty();
    }

    @Test
    void aSessionExpiresAfterAnHourIdleOrTwelveHoursInAll() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T00:00:00Z"));
        ConsoleSessions sessions = new ConsoleSessions(clock);
        var idle = sessions.create();
        var busy = sessions.create();
        clock.advance(ConsoleSessions.IDLE.toMillis() - 1000);
        assertThat(sessions.verify(busy.getKey(), busy.getValue())).isPresent();
        clock.advance(2000);
        assertThat(sessions.find(idle.getKey())).isEmpty();
        for (int h = 0; h < 11; h++) {
            clock.advance(ConsoleSessions.IDLE.toMillis() - 60_000);
            assertThat(sessions.find(busy.getKey())).as("hour %d", h).isPresent();
        }
        clock.advance(ConsoleSessions.IDLE.toMillis() - 60_000);
        assertThat(sessions.find(busy.getKey())).isEmpty();
    }

    @Test
    void withoutAnAdminKeyThereIsNoConsole() throws Exception {
        gateway = TestGateway.start("""
                port: 0
                providers:
                  - name: mock
                    type: mock
                models:
                  - name: mock-gpt
                    provider: mock
                """);
        assertThat(get("/ui/login").statusCode()).isEqualTo(404);
        assertThat(gateway.gateway().observability().metrics()).isPresent();
    }
}
