package dev.rosetta.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.testing.Browser;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.ProviderAnswers;
import dev.rosetta.testing.TestGateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in real headless Chromium, driven by Selenium: sign in with the admin key, create a
 * tenant and a key, see its secret once, revoke it, watch a request arrive in Live, filter usage, send
 * one prompt through the playground in two client dialects to fake providers of other dialects and see
 * the four bodies of each trip. Each page is saved to {@code target/screenshots}. Skipped when Chromium
 * is not installed, except under {@code CI=true}, where that is a failure ({@link Browser}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final Path SHOTS = Path.of("target/screenshots");

    private static final java.time.Instant NOW = java.time.Instant.now();
    private static final dev.rosetta.testing.MovableClock CLOCK = new dev.rosetta.testing.MovableClock(NOW.minusSeconds(40 * 60));
    private static TestGateway gateway;
    private static final String ANSWER = "Hello! Bonjour! ¡Hola!";
    private static Browser chromium;
    private static WebDriver browser;
    private static FakeUpstream upstream;
    private static String createdSecret;

    @BeforeAll
    static void start() throws IOException {
        chromium = Browser.start(1440, 1000); // skips the class without Chromium (fails under CI=true)
        browser = chromium.driver();
        browser.manage().timeouts().implicitlyWait(Duration.ZERO);
        // Providers of each dialect, answered by a fake upstream, for the playground's trips.
        upstream = new FakeUpstream().answer(r -> {
            Dialect d = ProviderAnswers.dialectOf(r.path());
            // the provider names the model it was asked for, as a real one does
            java.util.regex.Matcher asked = java.util.regex.Pattern.compile("models/([^:/]+)|\"model\":\\s*\"([^\"]+)\"")
                    .matcher(r.path() + " " + r.bodyText());
            String model = asked.find() ? java.util.Objects.requireNonNullElse(asked.group(1), asked.group(2)) : "m";
            return ProviderAnswers.streamed(r.path(), r.bodyText())
                    ? Reply.sse(ProviderAnswers.stream(d, ANSWER).replace("\"m\"", "\"" + model + "\""))
                    : Reply.json(200, ProviderAnswers.json(d, ANSWER).replace("\"m\"", "\"" + model + "\""));
        });
        // The console counts its recent minutes by the gateway's clock: the traffic of the last 40
        // minutes is sent with the clock moved back, so the charts have a history to draw.
        Path spool = Files.createTempDirectory("rosetta-console-ledger").resolve("ledger.spool");
        String yaml = TestGateway.KEYS_YAML.replace("""
                providers:
                """, """
                providers:
                  - name: openai
                    type: openai
                    base_url: %1$s/v1
                    api_key: ${OPENAI_API_KEY}
                  - name: anthropic
                    type: anthropic
                    base_url: %1$s
                    api_key: ${ANTHROPIC_API_KEY}
                  - name: gemini
                    type: gemini
                    base_url: %1$s
                    api_key: ${GEMINI_API_KEY}
                """.formatted(upstream.baseUrl())).replace("""
                models:
                """, """
                models:
                  - name: gpt-4o-mini
                    provider: openai
                  - name: claude-sonnet
                    provider: anthropic
                    upstream_model: claude-sonnet-4-5
                  - name: gemini-flash
                    provider: gemini
                    upstream_model: gemini-2.5-flash
                """);
        gateway = TestGateway.start(yaml + "ledger_spool: \"" + spool + "\"\n" + """
                prices:
                  mock-gpt: {input: 250, output: 1000}
                  mock-claude: {input: 300, output: 1500}
                  mock-gemini: {input: 125, output: 500}
                """, CLOCK);
        Files.createDirectories(SHOTS);
        java.util.Random random = new java.util.Random(15);
        String[] models = {"mock-gpt", "mock-claude", "mock-gemini"};
        for (int minute = 40; minute >= 0; minute--) {
            if (minute < 40) {
                CLOCK.advance(60_000);
            }
            int n = 1 + (int) (3 * (1 + Math.sin(minute / 6.0))) + random.nextInt(2);
            for (int i = 0; i < n; i++) {
                send(TestGateway.GATEWAY_KEY, models[random.nextInt(models.length)], random.nextBoolean());
            }
            if (minute % 9 == 4) {
                send(TestGateway.NARROW_GATEWAY_KEY, "mock-claude", false); // refused: outside the key's models
            }
        }
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    static int send(String key, String model, boolean stream) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(gateway.url() + DialectClient.path(Dialect.OPENAI_CHAT, model, stream)))
                    .header("authorization", "Bearer " + key).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(Dialect.OPENAI_CHAT, model, stream,
                            "hello from the browser test")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static WebDriverWait waiting(long seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static WebElement await(By by) {
        try {
            return waiting(15).until(ExpectedConditions.visibilityOfElementLocated(by));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("no " + by + " at " + browser.getCurrentUrl() + " in:\n" + browser.getPageSource(), e);
        }
    }

    static void shot(String name) {
        chromium.screenshot(SHOTS.resolve(name + ".png"));
    }

    private static void open(String page) {
        browser.get(gateway.url() + "/ui/#" + page);
        browser.navigate().refresh();
    }

    @Test
    @Order(1)
    void signingInWithTheAdminKeyOpensTheOverview() throws IOException {
        browser.get(gateway.url() + "/ui/");
        assertThat(browser.getCurrentUrl()).endsWith("/ui/login");
        shot("login");
        browser.findElement(By.id("admin_key")).sendKeys("not-the-key");
        browser.findElement(By.id("sign-in")).click();
        await(By.id("failed"));
        browser.findElement(By.id("admin_key")).sendKeys(TestGateway.ADMIN_KEY);
        browser.findElement(By.id("sign-in")).click();
        await(By.cssSelector(".kpis"));
        assertThat(browser.getCurrentUrl()).endsWith("/ui/");
        assertThat(browser.manage().getCookieNamed(Console.COOKIE).isHttpOnly()).isTrue();
        assertThat(browser.manage().getCookieNamed(Console.COOKIE).getSameSite()).isEqualTo("Strict");
        assertThat(browser.findElement(By.cssSelector(".kpis")).getText()).contains("REQUESTS").contains("ERROR RATE");
        waiting(5).until(d -> d.findElements(By.cssSelector(".uplot")).size() >= 5);
        shot("overview");
    }

    @Test
    @Order(2)
    void createATenantAndAKeySeeItsSecretOnceThenRevokeIt() throws IOException {
        open("tenants");
        await(By.id("tenant-form"));
        browser.findElement(By.id("t-name")).sendKeys("team-b");
        browser.findElement(By.id("t-models")).sendKeys("mock-*");
        browser.findElement(By.cssSelector("#tenant-form button[type=submit]")).click();
        await(By.cssSelector("tr[data-tenant='team-b']"));

        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("k-tenant"))).selectByValue("team-b");
        browser.findElement(By.id("k-name")).sendKeys("ci-runner");
        browser.findElement(By.id("k-models")).sendKeys("mock-gpt");
        browser.findElement(By.cssSelector("#key-form button[type=submit]")).click();
        createdSecret = await(By.id("new-secret")).getText();
        assertThat(createdSecret).startsWith("rk-");
        assertThat(browser.findElement(By.id("copy-secret")).isDisplayed()).isTrue();
        assertThat(send(createdSecret, "mock-gpt", false)).isEqualTo(200);
        shot("tenants-secret");

        // shown once: after a reload the page no longer holds it anywhere
        open("tenants");
        await(By.id("keys-table"));
        assertThat(browser.findElements(By.id("new-secret"))).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(createdSecret);
        shot("tenants");

        WebElement row = browser.findElement(By.xpath("//table[@id='keys-table']//tr[td/strong[text()='ci-runner']]"));
        row.findElement(By.cssSelector("button[data-action=revoke]")).click();
        waiting(5).until(ExpectedConditions.alertIsPresent()).accept();
        waiting(5).until(d -> d.findElements(By.xpath("//table[@id='keys-table']//strong[text()='ci-runner']")).isEmpty());
        assertThat(send(createdSecret, "mock-gpt", false)).isEqualTo(401);
    }

    @Test
    @Order(3)
    void aRequestAppearsInLiveWithinTwoSeconds() throws IOException {
        open("live");
        waiting(5).until(ExpectedConditions.textToBe(By.id("live-state"), "live"));
        int before = browser.findElements(By.cssSelector("#live-body tr")).size();
        assertThat(send(TestGateway.GATEWAY_KEY, "mock-gemini", true)).isEqualTo(200);
        WebElement newest = waiting(2).until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#live-body tr"));
            return rows.size() > before && rows.get(0).getText().contains("mock-gemini") ? rows.get(0) : null;
        });
        assertThat(newest.getText()).contains("openai_chat → mock").contains("team-a").contains("200");
        shot("live");
    }

    @Test
    @Order(4)
    void usageIsFilteredByTenant() throws IOException {
        open("usage");
        await(By.id("usage-table"));
        waiting(5).until(d -> d.findElements(By.cssSelector("#requests-table tbody tr")).size() >= 8);
        WebElement tenant = browser.findElement(By.cssSelector("#usage-form input[name=tenant]"));
        tenant.sendKeys("team-b");
        browser.findElement(By.cssSelector("#usage-form button[type=submit]")).click();
        waiting(5).until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#requests-table tbody tr"));
            return rows.size() == 1 && rows.get(0).getText().contains("team-b");
        });
        tenant.clear();
        browser.findElement(By.cssSelector("#usage-form button[type=submit]")).click();
        waiting(5).until(d -> d.findElements(By.cssSelector("#requests-table tbody tr")).size() > 1);
        shot("usage");
    }

    @Test
    @Order(5)
    void providersPageRenders() throws IOException {
        open("providers");
        await(By.id("models-table"));
        assertThat(browser.findElement(By.id("providers-grid")).getText()).contains("mock");
        shot("providers");
    }

    /** The four panes' texts after sending {@code prompt} as a {@code dialect} client to {@code model}. */
    private static java.util.Map<String, String> play(String dialect, String model, boolean stream, String prompt) {
        WebElement form = await(By.id("playground-form"));
        new org.openqa.selenium.support.ui.Select(form.findElement(By.name("dialect"))).selectByValue(dialect);
        new org.openqa.selenium.support.ui.Select(form.findElement(By.name("model"))).selectByValue(model);
        WebElement box = form.findElement(By.name("stream"));
        if (box.isSelected() != stream) {
            box.click();
        }
        WebElement text = form.findElement(By.name("prompt"));
        text.clear();
        text.sendKeys(prompt);
        form.findElement(By.cssSelector("button[type=submit]")).click();
        await(By.cssSelector("#pane-client-response"));
        java.util.Map<String, String> panes = new java.util.LinkedHashMap<>();
        for (String pane : List.of("client-request", "upstream-request", "upstream-response", "client-response")) {
            panes.put(pane, browser.findElement(By.id("pane-" + pane)).getText());
        }
        return panes;
    }

    @Test
    @Order(6)
    void thePlaygroundShowsTheFourBodiesOfATripInEachDialect() throws IOException {
        open("playground");
        await(By.id("playground-form"));
        shot("playground-empty");

        // an Anthropic Messages client to a Gemini model: the provider gets contents, the client a message
        var trip = play("anthropic", "gemini-flash", false, "Say hello in three languages.");
        assertThat(browser.findElement(By.id("playground-status")).getText()).contains("200").contains("gemini/gemini-2.5-flash");
        assertThat(trip.get("client-request")).contains("\"max_tokens\": 1024").contains("\"messages\"")
                .contains("Say hello in three languages.").doesNotContain("\"contents\"");
        assertThat(trip.get("upstream-request")).contains("what gemini received").contains("\"contents\"")
                .contains("\"parts\"").contains("Say hello in three languages.").doesNotContain("\"messages\"");
        assertThat(trip.get("upstream-response")).contains("\"candidates\"").contains("\"modelVersion\": \"gemini-2.5-flash\"")
                .contains(ANSWER);
        assertThat(trip.get("client-response")).contains("HTTP 200").contains("\"type\": \"message\"")
                .contains("\"role\": \"assistant\"").contains(ANSWER).doesNotContain("\"candidates\"");
        assertThat(upstream.take().path()).contains("gemini-2.5-flash:generateContent");
        chromium.resize(1440, 1560);
        shot("playground");
        chromium.resize(1440, 1000);

        // a Gemini client, streamed, to an OpenAI model: the provider gets messages and streams chunks back,
        // the client gets Gemini's events
        trip = play("gemini", "gpt-4o-mini", true, "Count to three.");
        assertThat(trip.get("client-request")).contains("\"contents\"").contains("Count to three.").doesNotContain("\"messages\"");
        assertThat(trip.get("upstream-request")).contains("what openai received").contains("\"messages\"")
                .contains("\"stream\": true").contains("\"model\": \"gpt-4o-mini\"").doesNotContain("\"contents\"");
        assertThat(trip.get("upstream-response")).contains("chat.completion.chunk").contains("data:");
        assertThat(trip.get("client-response")).contains("data:").contains("\"candidates\"").doesNotContain("chat.completion");
        assertThat(upstream.take().path()).endsWith("/v1/chat/completions");
        shot("playground-stream");

        // the mock answers in-process: no provider bodies, said so
        trip = play("openai", "mock-gpt", false, "hello");
        assertThat(trip.get("upstream-request")).contains("No provider call");
        assertThat(trip.get("client-response")).contains("chat.completion");
    }

    @Test
    @Order(7)
    void onAPhoneTheNavigationWrapsAboveThePage() throws IOException {
        chromium.resize(390, 844);
        open("overview");
        await(By.cssSelector(".kpis"));
        waiting(5).until(d -> d.findElements(By.cssSelector(".uplot")).size() >= 5);
        WebElement nav = browser.findElement(By.id("nav"));
        WebElement view = browser.findElement(By.id("view"));
        assertThat(nav.getRect().getY()).isLessThan(view.getRect().getY());
        assertThat(view.getRect().getWidth()).isLessThanOrEqualTo(390);
        shot("overview-phone");
        chromium.resize(1440, 1000);
    }
}
