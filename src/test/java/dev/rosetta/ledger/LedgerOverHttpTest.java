package dev.rosetta.ledger;

import static dev.rosetta.testing.TestGateway.ADMIN_KEY;
import static dev.rosetta.testing.TestGateway.GATEWAY_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.TestGateway;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Through the whole gateway: each request's ledger record, with the same upstream usage answered
 * whole and streamed, relayed and converted, read back through the admin usage API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerOverHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeUpstream upstream;
    private TestGateway gateway;

    static final String OPENAI_USAGE = "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":500,\"total_tokens\":1500,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":400},\"completion_tokens_details\":{\"reasoning_tokens\":200}}";
    /** 200 cache writes: 120 kept five minutes, 80 kept an hour (billed at 3.75 and 6 USD per million). */
    static final String ANTHROPIC_USAGE = "\"input_tokens\":100,\"cache_read_input_tokens\":1000,"
            + "\"cache_creation_input_tokens\":200,"
            + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":120,\"ephemeral_1h_input_tokens\":80}";
    static final String GEMINI_FINAL_USAGE = "\"usageMetadata\":{\"promptTokenCount\":1000,\"cachedContentTokenCount\":400,"
            + "\"candidatesTokenCount\":300,\"thoughtsTokenCount\":200,\"totalTokenCount\":1500}";

    static Reply answer(FakeUpstream.Recorded r) {
        boolean stream = r.bodyText().contains("\"stream\":true") || r.path().contains("streamGenerateContent");
        if (r.path().endsWith("/chat/completions")) {
            String head = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",";
            return stream ? Reply.sse(
                    "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n",
                    "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
                    "data: " + head + "\"choices\":[]," + OPENAI_USAGE + "}\n\n",
                    "data: [DONE]\n\n")
                    : Reply.json(200, "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":"
                    + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":\"stop\"}],"
                    + OPENAI_USAGE + "}");
        }
        if (r.path().endsWith("/v1/messages") && r.bodyText().contains("hang")) {
            // The usage so far (message_start), some text, then nothing: the client will go away.
            return Reply.stream("text/event-stream", java.util.List.of(FakeUpstream.Step.write(
                    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\","
                            + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
                            + "\"stop_sequence\":null,\"usage\":{" + ANTHROPIC_USAGE + ",\"output_tokens\":1}}}\n\n"
                            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n")),
                    false);
        }
        if (r.path().endsWith("/v1/messages")) {
            return stream ? Reply.sse(
                    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                            + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
                            + "\"stop_sequence\":null,\"usage\":{" + ANTHROPIC_USAGE + ",\"output_tokens\":1}}}\n\n",
                    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
                    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n",
                    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
                    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                            + "\"usage\":{\"output_tokens\":300}}\n\n",
                    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
                    : Reply.json(200, "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                    + "\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                    + "\"usage\":{" + ANTHROPIC_USAGE + ",\"output_tokens\":300}}");
        }
        // Gemini repeats the usage so far on every chunk: the last one counts, never the sum.
        String last = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\" there\"}]},\"finishReason\":\"STOP\","
                + "\"index\":0}]," + GEMINI_FINAL_USAGE + ",\"modelVersion\":\"gemini-2.5-pro\"}";
        return stream ? Reply.sse(
                "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hi\"}]},\"index\":0}],"
                        + "\"usageMetadata\":{\"promptTokenCount\":1000,\"cachedContentTokenCount\":400,\"candidatesTokenCount\":1,"
                        + "\"totalTokenCount\":1001},\"modelVersion\":\"gemini-2.5-pro\"}\r\n\r\n",
                "data: " + last + "\r\n\r\n")
                : Reply.json(200, last);
    }

    @BeforeAll
    void start() {
        upstream = new FakeUpstream().answer(LedgerOverHttpTest::answer);
        gateway = TestGateway.start("""
                port: 0
                auth: keys
                store: "sqlite::memory:"
                admin_key: ${ROSETTA_ADMIN_KEY}
                prices:
                  llama-local: {input: 0, output: 0}
                providers:
                  - {name: oai, type: openai, base_url: "%1$s/v1", api_key: "${OPENAI_API_KEY}"}
                  - {name: ant, type: anthropic, base_url: "%1$s", api_key: "${ANTHROPIC_API_KEY}"}
                  - {name: gem, type: gemini, base_url: "%1$s", api_key: "${GEMINI_API_KEY}"}
                models:
                  - {name: gpt, provider: oai, upstream_model: gpt-5-2025-08-07}
                  - {name: claude, provider: ant, upstream_model: claude-sonnet-4-5}
                  - {name: claude-agg, provider: ant, upstream_model: claude-sonnet-4-5}
                  - {name: gem, provider: gem, upstream_model: gemini-2.5-pro}
                  - {name: local, provider: oai, upstream_model: llama-local}
                  - {name: mystery, provider: oai, upstream_model: mystery-1}
                tenants:
                  - {name: team-a}
                keys:
                  - {name: a-main, tenant: team-a, key: "${GW_KEY}"}
                """.formatted(upstream.baseUrl()));
    }

    @AfterAll
    void stop() {
        gateway.close();
        upstream.close();
    }

    private HttpResponse<String> send(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json");
        if (headers.length > 0) {
            b.headers(headers);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private String chat(String model, boolean stream) throws Exception {
        return send("/v1/chat/completions", "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", "Bearer " + GATEWAY_KEY)
                .headers().firstValue("x-rosetta-request-id").orElseThrow();
    }

    private String messages(String model, boolean stream) throws Exception {
        return send("/v1/messages", "{\"model\":\"" + model + "\",\"max_tokens\":50,\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", GATEWAY_KEY,
                "anthropic-version", "2023-06-01").headers().firstValue("x-rosetta-request-id").orElseThrow();
    }

    private String gemini(boolean stream) throws Exception {
        return send("/v1beta/models/gem:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent"),
                "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", "x-goog-api-key", GATEWAY_KEY)
                .headers().firstValue("x-rosetta-request-id").orElseThrow();
    }

    private HttpResponse<String> admin(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + pathAndQuery))
                .header("authorization", "Bearer " + ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The records by request id, once those of {@code ids} have reached the store. */
    private Map<String, JsonNode> records(String... ids) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            HttpResponse<String> r = admin("/admin/v1/usage/requests?limit=1000");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode data = JSON.readTree(r.body()).get("data");
            Map<String, JsonNode> byId = new HashMap<>();
            data.forEach(d -> byId.put(d.get("request_id").asText(), d));
            if (byId.keySet().containsAll(java.util.List.of(ids))) {
                return byId;
            }
            assertThat(System.nanoTime()).as("ledger records not written in time").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void streamedAndWholeAnswersAreRecordedAndCostedAlikeForEachProvider() throws Exception {
        String gptWhole = chat("gpt", false);
        String gptStream = chat("gpt", true);
        String claudeWhole = chat("claude", false);
        String claudeStream = chat("claude", true);
        String claudeRelayedWhole = messages("claude", false);
        String claudeRelayedStream = messages("claude", true);
        String gemWhole = gemini(false);
        String gemStream = gemini(true);
        Map<String, JsonNode> recs = records(gptWhole, gptStream, claudeWhole, claudeStream, claudeRelayedWhole,
                claudeRelayedStream, gemWhole, gemStream);

        // OpenAI: prompt 1000 incl. 400 cached; completion 500 incl. 200 reasoning. 600*1.25 + 400*0.125 + 500*10.
        expect(recs.get(gptWhole), recs.get(gptStream), "gpt-5-2025-08-07", 600, 400, 0, 0, 500, 200, "0.0058");
        // Anthropic: input 100 beside 1000 cache reads and 200 cache writes, 80 of them kept an hour;
        // 100*3 + 1000*0.3 + 120*3.75 + 80*6 + 300*15. Converted (decoders) and relayed (usage tap) alike.
        expect(recs.get(claudeWhole), recs.get(claudeStream), "claude-sonnet-4-5", 100, 1000, 200, 80, 300, 0, "0.00603");
        expect(recs.get(claudeRelayedWhole), recs.get(claudeRelayedStream), "claude-sonnet-4-5", 100, 1000, 200, 80,
                300, 0, "0.00603");
        // Gemini: prompt 1000 incl. 400 cached; 300 candidates beside 200 thoughts, billed as output once.
        expect(recs.get(gemWhole), recs.get(gemStream), "gemini-2.5-pro", 600, 400, 0, 0, 500, 200, "0.0058");

        JsonNode r = recs.get(gptStream);
        assertThat(r.get("tenant").asText()).isEqualTo("team-a");
        assertThat(r.get("key_id").asText()).isNotEmpty();
        assertThat(r.get("dialect").asText()).isEqualTo("openai_chat");
        assertThat(r.get("model").asText()).isEqualTo("gpt");
        assertThat(r.get("provider").asText()).isEqualTo("oai");
        assertThat(r.get("status").asInt()).isEqualTo(200);
        assertThat(r.get("ttfb_ms").isNumber()).isTrue();
        assertThat(r.get("client_cancelled").asBoolean()).isFalse();
        assertThat(r.get("usage_estimated").asBoolean()).isFalse();
    }

    private static void expect(JsonNode whole, JsonNode streamed, String upstreamModel, long input, long cacheRead,
                               long cacheWrite, long cacheWrite1h, long output, long reasoning, String usd) {
        for (JsonNode r : new JsonNode[] {whole, streamed}) {
            assertThat(r.get("upstream_model").asText()).isEqualTo(upstreamModel);
            assertThat(r.get("tokens").toString()).isEqualTo(JSON.createObjectNode().put("input", input)
                    .put("output", output).put("cache_read", cacheRead).put("cache_write", cacheWrite)
                    .put("cache_write_1h", cacheWrite1h).put("reasoning", reasoning).toString());
            assertThat(r.get("cost_usd").decimalValue()).isEqualByComparingTo(new BigDecimal(usd));
            assertThat(r.get("cost_known").asBoolean()).isTrue();
        }
        assertThat(whole.get("stream").asBoolean()).isFalse();
        assertThat(streamed.get("stream").asBoolean()).isTrue();
    }

    /** Sends a streamed request over a raw socket, reads until {@code until} arrives, then goes away. */
    private String cancelAfter(String path, String body, String until, String... headers) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", gateway.port())) {
            StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\n"
                    + "content-type: application/json\r\ncontent-length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            s.getOutputStream().write((head + "\r\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[4096];
            while (!got.toString().contains(until)) {
                int n = s.getInputStream().read(buf);
                assertThat(n).as("stream ended before " + until + ": " + got).isPositive();
                got.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            }
            Matcher m = Pattern.compile("(?i)x-rosetta-request-id: (\\S+)").matcher(got);
            assertThat(m.find()).as(got.toString()).isTrue();
            return m.group(1);
        }
    }

    @Test
    void aCancelledStreamIsRecordedWithTheUsageReceivedSoFar() throws Exception {
        String relayed = cancelAfter("/v1/messages", "{\"model\":\"claude\",\"max_tokens\":50,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hang\"}]}", "text_delta",
                "x-api-key", GATEWAY_KEY, "anthropic-version", "2023-06-01");
        String converted = cancelAfter("/v1/chat/completions", "{\"model\":\"claude\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hang\"}]}", "Hi",
                "authorization", "Bearer " + GATEWAY_KEY);
        Map<String, JsonNode> recs = records(relayed, converted);
        for (String id : new String[] {relayed, converted}) {
            JsonNode r = recs.get(id);
            assertThat(r.get("status").asInt()).as(id).isEqualTo(499);
            assertThat(r.get("error_class").asText()).isEqualTo("client_cancelled");
            assertThat(r.get("client_cancelled").asBoolean()).isTrue();
            assertThat(r.get("usage_estimated").asBoolean()).isTrue();
            assertThat(r.at("/tokens/input").asLong()).as(id).isEqualTo(100);
            assertThat(r.at("/tokens/cache_read").asLong()).isEqualTo(1000);
            assertThat(r.at("/tokens/cache_write").asLong()).isEqualTo(200);
            assertThat(r.at("/tokens/cache_write_1h").asLong()).isEqualTo(80);
            assertThat(r.get("cost_known").asBoolean()).isTrue();
            assertThat(r.get("cost_usd").decimalValue()).isPositive();
        }
    }

    @Test
    void selfHostedIsFreeAndAnUnknownModelIsFlaggedNotGuessed() throws Exception {
        String local = chat("local", false);
        String mystery = chat("mystery", true);
        Map<String, JsonNode> recs = records(local, mystery);
        assertThat(recs.get(local).get("cost_known").asBoolean()).isTrue();
        assertThat(recs.get(local).get("cost_usd").decimalValue()).isZero();
        assertThat(recs.get(mystery).get("cost_known").asBoolean()).isFalse();
        assertThat(recs.get(mystery).get("cost_usd").decimalValue()).isZero();
        assertThat(recs.get(mystery).at("/tokens/output").asLong()).isEqualTo(500);
    }

    @Test
    void aggregatesByModelAndCsvAndTheAdminKeyIsRequired() throws Exception {
        records(chat("claude-agg", false), chat("claude-agg", true));
        HttpResponse<String> agg = admin("/admin/v1/usage?group_by=model,tenant&model=claude-agg");
        assertThat(agg.statusCode()).as(agg.body()).isEqualTo(200);
        JsonNode row = JSON.readTree(agg.body()).at("/data/0");
        assertThat(row.get("model").asText()).isEqualTo("claude-agg");
        assertThat(row.get("tenant").asText()).isEqualTo("team-a");
        long requests = row.get("requests").asLong();
        assertThat(requests).isEqualTo(2);
        assertThat(row.at("/tokens/cache_read").asLong()).isEqualTo(1000 * requests);
        assertThat(row.at("/tokens/cache_write_1h").asLong()).isEqualTo(80 * requests);
        assertThat(row.get("cost_usd").decimalValue()).isEqualByComparingTo(new BigDecimal("0.00603").multiply(BigDecimal.valueOf(requests)));

        HttpResponse<String> csv = admin("/admin/v1/usage?group_by=model&model=claude-agg&format=csv");
        assertThat(csv.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/csv"));
        assertThat(csv.body().lines().toList()).containsExactly(
                "model,requests,errors,input_tokens,output_tokens,cache_read_tokens,cache_write_tokens,"
                        + "cache_write_1h_tokens,reasoning_tokens,cost_usd,unpriced_requests",
                "claude-agg," + requests + ",0," + 100 * requests + "," + 300 * requests + "," + 1000 * requests + ","
                        + 200 * requests + "," + 80 * requests + ",0," + new BigDecimal("0.00603").multiply(BigDecimal.valueOf(requests)).stripTrailingZeros().toPlainString() + ",0");
        HttpResponse<String> recordsCsv = admin("/admin/v1/usage/requests?model=claude-agg&format=csv&limit=1");
        assertThat(recordsCsv.body().lines().toList()).hasSize(2);
        assertThat(recordsCsv.body()).startsWith("time,request_id,tenant,key_id,");

        assertThat(http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/usage")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(admin("/admin/v1/usage?group_by=colour").statusCode()).isEqualTo(400);
        assertThat(admin("/admin/v1/usage?from=yesterday").statusCode()).isEqualTo(400);
    }

    @Test
    void requestsArePagedWithACursor() throws Exception {
        records(chat("local", false), chat("local", false), chat("local", false));
        JsonNode first = JSON.readTree(admin("/admin/v1/usage/requests?model=local&limit=2").body());
        assertThat(first.get("data")).hasSize(2);
        String cursor = first.get("next_cursor").asText();
        JsonNode second = JSON.readTree(admin("/admin/v1/usage/requests?model=local&limit=2&cursor=" + cursor).body());
        assertThat(second.get("data").size()).isGreaterThanOrEqualTo(1);
        assertThat(second.at("/data/0/request_id").asText()).isNotIn(first.at("/data/0/request_id").asText(),
                first.at("/data/1/request_id").asText());
    }
}
