package dev.rosetta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.limits.RedisTestServer;
import dev.rosetta.store.PostgresTestDatabase;
import dev.rosetta.testing.DialectClient;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real gateway processes (separate JVMs on the test's classpath) sharing the machine's Redis (a key
 * prefix of this run) and PostgreSQL (a schema of this run, dropped afterwards), as replicas behind a
 * load balancer do. A key's {@code rpm: 10} holds exactly across both, in every dialect; and SIGTERM
 * under load loses no ledger record: every answered request has exactly one, and the token and cost
 * sums equal what the upstream reported.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaProcessesTest {

    private static final Pattern N = Pattern.compile("request (\\d+)");
    private static final Map<Dialect, String> LIMITED = Map.of(
            Dialect.OPENAI_CHAT, TestGateway.GATEWAY_KEY,
            Dialect.OPENAI_RESPONSES, TestGateway.NARROW_GATEWAY_KEY,
            Dialect.ANTHROPIC, TestGateway.DISABLED_GATEWAY_KEY,
            Dialect.GEMINI, TestGateway.OFF_TENANT_GATEWAY_KEY);
    /** The n of the warm-up requests (three per process), apart from the load's 0..599. */
    private static final long WARM_UP = 10_000;
    /** Without limits: warms each process up, and carries the ledger load. */
    private static final String FREE_KEY = TestGateway.EXPIRED_GATEWAY_KEY;
    /** A key of tenant b, whose budget ($0.005 in all) covers about three requests. */
    private static final String BUDGET_KEY = TestGateway.UNKNOWN_GATEWAY_KEY;

    @TempDir
    static Path dir;
    private String schema;
    private FakeUpstream upstream;
    private final List<Replica> replicas = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What the upstream reports for request n (gpt-5: 1.25 input, 0.125 cached, 10 output per million). */
    static long prompt(long n) {
        return 900 + n;
    }

    static long cached(long n) {
        return n % 200;
    }

    static long completion(long n) {
        return 40 + n % 11;
    }

    static long nanos(long n) {
        return (prompt(n) - cached(n)) * 1250 + cached(n) * 125 + completion(n) * 10_000;
    }

    /** One gateway process and the address it printed. */
    record Replica(Process process, String url) {
    }

    @BeforeAll
    void start() throws Exception {
        RedisTestServer.require();
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.freshSchema();
        upstream = new FakeUpstream().answer(r -> {
            Matcher m = N.matcher(r.bodyText());
            long n = m.find() ? Long.parseLong(m.group(1)) : 0;
            return Reply.json(200, "{\"id\":\"c" + n + "\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-5\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":" + prompt(n) + ",\"completion_tokens\":" + completion(n)
                    + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached(n) + "}}}");
        });
        String db = PostgresTestDatabase.URL.substring(PostgresTestDatabase.URL.lastIndexOf('/') + 1);
        String hostPort = PostgresTestDatabase.URL.substring("jdbc:postgresql://".length()).split("/")[0];
        String prefix = RedisTestServer.PREFIX + "replicas-" + UUID.randomUUID() + ":";
        for (int i = 0; i < 2; i++) {
            Path config = dir.resolve("rosetta-" + i + ".yaml");
            Files.writeString(config, """
                    port: 0
                    shutdown_grace: 20s
                    auth: keys
                    store: "postgresql://%1$s@%2$s/%3$s?schema=%4$s"
                    ledger_spool: "%5$s"
                    redis: "%6$s"
                    redis_key_prefix: "%7$s"
                    limits_on_redis_failure: deny
                    redis_timeout: 2s
                    providers:
                      - {name: mock, type: mock}
                      - {name: oai, type: openai, base_url: "%8$s/v1", api_key: "${OPENAI_API_KEY}"}
                    models:
                      - {name: mock-gpt, provider: mock}
                      - {name: mock-claude, provider: mock}
                      - {name: mock-gemini, provider: mock}
                      - {name: gpt, provider: oai, upstream_model: gpt-5}
                    tenants:
                      - name: t
                      - {name: b, budget: {usd: 0.005, period: total}}
                    keys:
                      - {name: chat, tenant: t, key: "${GW_KEY}", limits: {rpm: 10}}
                      - {name: responses, tenant: t, key: "${GW_NARROW_KEY}", limits: {rpm: 10}}
                      - {name: messages, tenant: t, key: "${GW_DISABLED_KEY}", limits: {rpm: 10}}
                      - {name: gemini, tenant: t, key: "${GW_OFF_KEY}", limits: {rpm: 10}}
                      - {name: free, tenant: t, key: "${GW_FREE_KEY}"}
                      - {name: spender, tenant: b, key: "${GW_BUDGET_KEY}"}
                    """.formatted(PostgresTestDatabase.USER, hostPort, db, schema, dir.resolve("spool-" + i),
                    RedisTestServer.URL, prefix, upstream.baseUrl()));
            // One after the other: the first creates the schema and migrates it, the second finds it done.
            replicas.add(launch(config));
        }
    }

    private Replica launch(Path config) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                "dev.rosetta.Main", "--config", config.toString()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("OPENAI_API_KEY", TestGateway.OPENAI_KEY, "GW_KEY", TestGateway.GATEWAY_KEY,
                "GW_NARROW_KEY", TestGateway.NARROW_GATEWAY_KEY, "GW_DISABLED_KEY", TestGateway.DISABLED_GATEWAY_KEY,
                "GW_OFF_KEY", TestGateway.OFF_TENANT_GATEWAY_KEY, "GW_FREE_KEY", FREE_KEY,
                "GW_BUDGET_KEY", BUDGET_KEY));
        Process p = pb.start();
        LinkedBlockingQueue<String> url = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            Pattern listening = Pattern.compile("listening on (http://\\S+)");
            try (BufferedReader log = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = log.readLine()) != null; ) {
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                        url.add(m.group(1));
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process is gone
            }
        }, "replica-log");
        reader.setDaemon(true);
        reader.start();
        String u = url.poll(40, TimeUnit.SECONDS);
        assertThat(u).as("the gateway process did not start").isNotNull();
        Replica r = new Replica(p, u);
        // warm up: the key snapshot, the Redis connection and the first request's class loading
        for (int i = 0; i < 3; i++) {
            assertThat(chat(r, FREE_KEY, "gpt", WARM_UP).statusCode()).isEqualTo(200);
        }
        return r;
    }

    @AfterAll
    void stop() {
        replicas.forEach(r -> r.process().destroyForcibly());
        if (upstream != null) {
            upstream.close();
        }
        if (schema != null) {
            PostgresTestDatabase.drop(schema);
        }
    }

    private HttpResponse<String> chat(Replica r, String key, String model, long n) throws Exception {
        return http.send(chatRequest(r, key, model, n), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest chatRequest(Replica r, String key, String model, long n) {
        return HttpRequest.newBuilder(URI.create(r.url() + "/v1/chat/completions"))
                .header("authorization", "Bearer " + key).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"request " + n + "\"}]}")).build();
    }

    private static String model(Dialect d) {
        return switch (d) {
            case OPENAI_CHAT, OPENAI_RESPONSES -> "mock-gpt";
            case ANTHROPIC -> "mock-claude";
            case GEMINI -> "mock-gemini";
        };
    }

    private static DialectClient.Result send(Replica g, Dialect d) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.url() + DialectClient.path(d, model(d), false)))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(DialectClient.body(d, model(d), false, "hi"),
                        StandardCharsets.UTF_8));
        switch (d) {
            case ANTHROPIC -> b.header("x-api-key", LIMITED.get(d)).header("anthropic-version", "2023-06-01");
            case GEMINI -> b.header("x-goog-api-key", LIMITED.get(d));
            default -> b.header("authorization", "Bearer " + LIMITED.get(d));
        }
        return new DialectClient(g.url()).send(b.build());
    }

    @Test
    @Order(1)
    void aKeysRpmHoldsExactlyAcrossTwoProcessesInEveryDialect() throws Exception {
        // 20 requests at once per dialect, alternating between the processes. rpm 10 refills one request
        // every 6 s, so all 20 must be decided well within that: they are sent together, after the warm-up.
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            for (Dialect d : Dialect.values()) {
                List<Future<DialectClient.Result>> sent = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    Replica g = replicas.get(i % 2);
                    sent.add(pool.submit(() -> send(g, d)));
                }
                List<DialectClient.Result> ok = new ArrayList<>();
                List<DialectClient.Result> refused = new ArrayList<>();
                for (Future<DialectClient.Result> f : sent) {
                    DialectClient.Result r = f.get(30, TimeUnit.SECONDS);
                    (r.status() == 200 ? ok : refused).add(r);
                }
                assertThat(ok).as(d.toString()).hasSize(10);
                assertThat(refused).as(d.toString()).hasSize(10);
                for (DialectClient.Result r : refused) {
                    assertThat(DialectClient.assertDialectError(d, r, 429)).contains("rpm limit of key cfg_");
                    assertThat(r.headers().firstValue("retry-after")).as(d.toString()).isPresent();
                    switch (d) {
                        case OPENAI_CHAT, OPENAI_RESPONSES -> {
                            assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("10");
                            assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
                            assertThat(r.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
                        }
                        case ANTHROPIC -> {
                            assertThat(r.headers().firstValue("anthropic-ratelimit-requests-limit")).hasValue("10");
                            assertThat(r.headers().firstValue("anthropic-ratelimit-requests-remaining")).hasValue("0");
                            assertThat(r.headers().firstValue("anthropic-ratelimit-requests-reset")).isPresent();
                        }
                        case GEMINI -> {
                            assertThat(r.json().at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
                            assertThat(r.json().at("/error/details/0/@type").asText())
                                    .isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
                            assertThat(r.json().at("/error/details/0/retryDelay").asText()).matches("[1-6]s");
                        }
                    }
                }
                // The processes run on the real clock, so the bucket refills a little while the 20 are decided:
                // a count may repeat (a fraction of a request refilled), but each is the shared bucket's.
                assertThat(ok).extracting(r -> Integer.parseInt(r.headers().firstValue(d == Dialect.ANTHROPIC
                                ? "anthropic-ratelimit-requests-remaining" : "x-ratelimit-remaining-requests").orElseThrow()))
                        .as("each answer's remaining count, across both processes")
                        .allSatisfy(n -> assertThat(n).isBetween(0, 9)).contains(9, 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** An answered request: its id, status and the n its upstream usage derives from. */
    record Answered(String id, int status, long n) {
    }

    /** A request for at most 16 output tokens, so its reservation (input estimate + 16 at gpt-5's price) is small. */
    private HttpResponse<String> budgeted(Replica r, long n) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(r.url() + "/v1/chat/completions"))
                .header("authorization", "Bearer " + BUDGET_KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt\",\"max_tokens\":16,\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"request " + n + "\"}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(2)
    void aTenantBudgetCrossedThroughOneProcessRefusesOnTheOtherWithinASecond() throws Exception {
        Replica first = replicas.get(0);
        Replica second = replicas.get(1);
        int answered = 0;
        HttpResponse<String> r;
        // each answer costs about $0.0016 (gpt-5's price of the upstream's usage); $0.005 is spent by the fourth
        for (long n = 0; (r = budgeted(first, n)).statusCode() == 200; n++) {
            answered++;
            assertThat(answered).as("requests answered before the budget was spent").isLessThan(10);
        }
        assertThat(answered).isBetween(2, 4);
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.headers().firstValue("x-should-retry")).hasValue("false");
        assertThat(r.body()).contains("insufficient_quota").contains("tenant b");
        // the other process knows at once (the spend is in Redis); allow it a second
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        HttpResponse<String> other = budgeted(second, 100);
        while (other.statusCode() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            other = budgeted(second, 101);
        }
        assertThat(other.statusCode()).as("the second process, within a second").isEqualTo(429);
        assertThat(other.body()).contains("insufficient_quota").contains("tenant b");
    }

    @Test
    @Order(3)
    void sigtermUnderLoadLosesNoLedgerRecord() throws Exception {
        Replica first = replicas.get(0);
        Replica second = replicas.get(1);
        Semaphore inFlight = new Semaphore(16);
        Set<Answered> answered = ConcurrentHashMap.newKeySet();
        AtomicInteger done = new AtomicInteger();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            inFlight.acquire();
            long n = i;
            Replica to = replicas.get(i % 2);
            all.add(http.sendAsync(chatRequest(to, FREE_KEY, "gpt", n), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, err) -> {
                        inFlight.release();
                        if (r != null) {
                            r.headers().firstValue("x-rosetta-request-id")
                                    .ifPresent(id -> answered.add(new Answered(id, r.statusCode(), n)));
                        }
                        if (done.incrementAndGet() == 200) {
                            first.process().destroy(); // SIGTERM, in the middle of the load
                        }
                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(60, TimeUnit.SECONDS);
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).as("the first process exits after SIGTERM").isTrue();
        assertThat(first.process().exitValue()).isZero();
        second.process().destroy();
        assertThat(second.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.process().exitValue()).isZero();

        List<Answered> ok = answered.stream().filter(a -> a.status() == 200).toList();
        assertThat(ok.size()).as("most requests were answered, by both processes").isGreaterThan(300);
        Map<String, Long> stored = new HashMap<>();
        long[] sums = new long[4];
        try (Connection c = direct(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT request_id, input_tokens + cache_read_tokens, cache_read_tokens, output_tokens, cost_nanos"
                        + " FROM rosetta_ledger WHERE status = 200 AND model = 'gpt' AND tenant <> 'b'")) {
            while (rs.next()) {
                assertThat(stored.merge(rs.getString(1), 1L, Long::sum)).as("one record per request").isEqualTo(1);
                for (int i = 0; i < 4; i++) {
                    sums[i] += rs.getLong(i + 2);
                }
            }
        }
        // the warm-up requests (three per process) are in the ledger too
        long warmups = 6;
        assertThat(stored.keySet()).containsAll(ok.stream().map(Answered::id).toList());
        assertThat(stored).hasSize(ok.size() + (int) warmups);
        long[] expected = {warmups * prompt(WARM_UP), warmups * cached(WARM_UP), warmups * completion(WARM_UP),
            warmups * nanos(WARM_UP)};
        for (Answered a : ok) {
            expected[0] += prompt(a.n());
            expected[1] += cached(a.n());
            expected[2] += completion(a.n());
            expected[3] += nanos(a.n());
        }
        assertThat(sums).as("input, cached, output, cost (nano-USD)").containsExactly(expected);
    }

    private Connection direct() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", PostgresTestDatabase.USER);
        p.setProperty("currentSchema", schema);
        return DriverManager.getConnection(PostgresTestDatabase.URL, p);
    }
}
