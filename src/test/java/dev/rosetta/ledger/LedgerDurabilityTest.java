package dev.rosetta.ledger;

import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.store.PostgresTestDatabase;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TcpProxy;
import dev.rosetta.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost: a gateway writing its ledger to the real PostgreSQL through a TCP proxy that is cut
 * mid-load and restored, and a gateway stopped under load (the SIGTERM path) while the store is
 * away, its spool replayed by the next start. Afterwards every answered request has exactly one
 * record and the token and cost totals equal the sums of the usage the upstream reported.
 */
class LedgerDurabilityTest {

    private static final Pattern N = Pattern.compile("request (\\d+)");

    @TempDir
    Path dir;
    private String schema;
    private TcpProxy proxy;
    private FakeUpstream upstream;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** What the upstream reports for request n: all kinds vary, so a lost or doubled record shows in every sum. */
    static long prompt(long n) {
        return 1000 + n;
    }

    static long cached(long n) {
        return n % 300;
    }

    static long completion(long n) {
        return 50 + n % 17;
    }

    static long reasoning(long n) {
        return n % 13;
    }

    /** gpt-5 at 1.25 / 0.125 cached / 10 per million tokens, in nano-USD, computed apart from the price table. */
    static long nanos(long n) {
        return (prompt(n) - cached(n)) * 1250 + cached(n) * 125 + completion(n) * 10_000;
    }

    @BeforeEach
    void setUp() throws Exception {
        PostgresTestDatabase.require();
        schema = PostgresTestDatabase.freshSchema();
        String hostPort = PostgresTestDatabase.URL.substring("jdbc:postgresql://".length()).split("/")[0];
        proxy = new TcpProxy(hostPort.split(":")[0], Integer.parseInt(hostPort.split(":")[1]));
        upstream = new FakeUpstream().answer(r -> {
            Matcher m = N.matcher(r.bodyText());
            long n = m.find() ? Long.parseLong(m.group(1)) : 0;
            return Reply.json(200, "{\"id\":\"c" + n + "\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-5\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":" + prompt(n) + ",\"completion_tokens\":" + completion(n)
                    + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached(n) + "},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoning(n) + "}}}");
        });
    }

    @AfterEach
    void tearDown() {
        proxy.close();
        upstream.close();
        if (schema != null) {
            PostgresTestDatabase.drop(schema);
        }
    }

    private TestGateway gateway() {
        String db = PostgresTestDatabase.URL.substring(PostgresTestDatabase.URL.lastIndexOf('/') + 1);
        return TestGateway.start("""
                port: 0
                auth: keys
                store: "postgresql://%1$s@127.0.0.1:%2$d/%3$s?schema=%4$s"
                ledger_spool: "%5$s"
                providers:
                  - {name: oai, type: openai, base_url: "%6$s/v1", api_key: "${OPENAI_API_KEY}"}
                models:
                  - {name: gpt, provider: oai, upstream_model: gpt-5}
                tenants:
                  - {name: team-a}
                keys:
                  - {name: a-main, tenant: team-a, key: "${GW_KEY}"}
                """.formatted(PostgresTestDatabase.USER, proxy.port(), db, schema, dir.resolve("ledger.spool"),
                upstream.baseUrl()));
    }

    /** An answered request: its id and the n its upstream usage derives from. */
    record Answered(String id, int status, long n) {
    }

    /** Sends requests first..first+count-1, 16 at a time; {@code during} runs after {@code at} have been answered. */
    private List<Answered> load(TestGateway gw, int first, int count, int at, Runnable during) throws Exception {
        Semaphore inFlight = new Semaphore(16);
        Set<Answered> answered = ConcurrentHashMap.newKeySet();
        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> hook = new CompletableFuture<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            inFlight.acquire();
            long n = i;
            HttpRequest req = HttpRequest.newBuilder(URI.create(gw.url() + "/v1/chat/completions"))
                    .header("authorization", "Bearer " + GATEWAY_KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"request " + n + "\"}]}")).build();
            all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, err) -> {
                inFlight.release();
                if (r != null) {
                    r.headers().firstValue("x-rosetta-request-id").ifPresent(id -> answered.add(new Answered(id, r.statusCode(), n)));
                }
                if (done.incrementAndGet() == at) {
                    CompletableFuture.runAsync(during).whenComplete((v, e) -> hook.complete(null));
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(120, TimeUnit.SECONDS);
        hook.get(60, TimeUnit.SECONDS);
        return new ArrayList<>(answered);
    }

    private Connection direct() throws Exception {
        Properties p = new Properties();
        p.setProperty("user", PostgresTestDatabase.USER);
        p.setProperty("currentSchema", schema);
        return DriverManager.getConnection(PostgresTestDatabase.URL, p);
    }

    private long[] totals() throws Exception {
        try (Connection c = direct(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT COUNT(*), COUNT(DISTINCT request_id), COALESCE(SUM(input_tokens + cache_read_tokens + cache_write_tokens), 0),"
                        + " COALESCE(SUM(cache_read_tokens), 0), COALESCE(SUM(output_tokens), 0),"
                        + " COALESCE(SUM(reasoning_tokens), 0), COALESCE(SUM(cost_nanos), 0)"
                        + " FROM rosetta_ledger WHERE status = 200")) {
            rs.next();
            long[] t = new long[7];
            for (int i = 0; i < 7; i++) {
                t[i] = rs.getLong(i + 1);
            }
            return t;
        }
    }

    private Set<String> storedIds() throws Exception {
        Set<String> ids = new java.util.HashSet<>();
        try (Connection c = direct(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT request_id FROM rosetta_ledger")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static long[] expected(List<Answered> answered) {
        List<Answered> ok = answered.stream().filter(a -> a.status() == 200).toList();
        long[] t = {ok.size(), ok.size(), 0, 0, 0, 0, 0};
        for (Answered a : ok) {
            t[2] += prompt(a.n());
            t[3] += cached(a.n());
            t[4] += completion(a.n());
            t[5] += reasoning(a.n());
            t[6] += nanos(a.n());
        }
        return t;
    }

    private void awaitAll(List<Answered> answered) throws Exception {
        Set<String> want = new java.util.HashSet<>();
        answered.forEach(a -> want.add(a.id()));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!storedIds().containsAll(want)) {
            assertThat(System.nanoTime()).as("ledger records not all stored in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void storeCutMidLoadAndRestoredEveryAnsweredRequestRecordedOnce() throws Exception {
        TestGateway gw = gateway();
        java.util.concurrent.atomic.AtomicReference<String> ready = new java.util.concurrent.atomic.AtomicReference<>("");
        try {
            List<Answered> answered = load(gw, 0, 600, 150, () -> {
                proxy.cut();
                try {
                    Thread.sleep(1500); // the ledger's batches meet the cut store and go to the spool
                    ready.set(http.send(HttpRequest.newBuilder(URI.create(gw.url() + "/ready")).GET().build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                } catch (Exception e) {
                    ready.set(e.toString());
                }
                proxy.restore();
            });
            // while the store was away, /ready said where the records were going
            assertThat(ready.get()).contains("\"ledger\"").contains("ledger store is unavailable");
            Matcher spooled = Pattern.compile("(\\d+) records spooled to").matcher(ready.get());
            assertThat(spooled.find()).as(ready.get()).isTrue();
            assertThat(Long.parseLong(spooled.group(1))).as("records spooled while the store was away").isPositive();
            assertThat(answered).hasSize(600).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
            awaitAll(answered);
            assertThat(totals()).containsExactly(expected(answered));
            assertThat(storedIds()).hasSize(600);
        } finally {
            gw.close();
        }
    }

    @Test
    void stoppedUnderLoadWithTheStoreAwayTheSpoolIsReplayedByTheNextStart() throws Exception {
        TestGateway gw = gateway();
        List<Answered> answered = load(gw, 0, 400, 100, () -> {
            proxy.cut();
            gw.gateway().shutdown(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().join();
        });
        List<Answered> served = answered.stream().filter(a -> a.status() == 200).toList();
        assertThat(served).hasSizeGreaterThanOrEqualTo(100);
        proxy.restore();
        TestGateway next = gateway();
        try {
            awaitAll(answered);
            assertThat(totals()).containsExactly(expected(answered));
            // refusals while draining (503) are requests too, recorded once each
            assertThat(storedIds()).hasSize(answered.size());
        } finally {
            next.close();
        }
    }

    @Test
    void stoppedUnderLoadEveryAnsweredRequestIsInTheStoreWhenShutdownReturns() throws Exception {
        TestGateway gw = gateway();
        List<Answered> answered = load(gw, 0, 400, 100, () ->
                gw.gateway().shutdown(Duration.ofSeconds(10)).toCompletionStage().toCompletableFuture().join());
        assertThat(answered.stream().filter(a -> a.status() == 200).count()).isGreaterThanOrEqualTo(100);
        Set<String> ids = new java.util.HashSet<>();
        answered.forEach(a -> ids.add(a.id()));
        // no waiting: shutdown returned only after the ledger wrote what it held
        assertThat(storedIds()).isEqualTo(ids);
        assertThat(totals()).containsExactly(expected(answered));
    }
}
