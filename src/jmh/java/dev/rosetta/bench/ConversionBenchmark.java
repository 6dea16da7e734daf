package dev.rosetta.bench;

import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.DropLog;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.opaque.OpaqueState;
import dev.rosetta.dialect.opaque.StateSealer;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.Json;
import dev.rosetta.model.Role;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import dev.rosetta.model.Usage;
import dev.rosetta.usage.TokenEstimate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a cross-dialect call costs in the gateway itself, as {@code Conversion} does it: the client's
 * request decoded, unsealed and encoded for the provider; the provider's answer decoded, sealed and
 * encoded for the client. The request is a typical agent turn (system prompt, 10 turns with two tool
 * round trips, 2 tools, about 4 KB); the answer some text and a tool call (with a Gemini signature
 * from Gemini).
 *
 * <p>Same-dialect pairs are measured for reference; the gateway relays those bytes unconverted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ConversionBenchmark {

    @Param({"openai_chat", "openai_responses", "anthropic", "gemini"})
    public String client;

    @Param({"openai", "anthropic", "gemini"})
    public String provider;

    private Codec clientCodec;
    private Codec providerCodec;
    private Dialect clientDialect;
    private OpaqueState opaque;
    private byte[] clientRequest;
    private byte[] providerAnswer;
    private ResponseContext context;

    @Setup
    public void setUp() {
        clientDialect = switch (client) {
            case "openai_chat" -> Dialect.OPENAI_CHAT;
            case "openai_responses" -> Dialect.OPENAI_RESPONSES;
            case "anthropic" -> Dialect.ANTHROPIC;
            case "gemini" -> Dialect.GEMINI;
            default -> throw new IllegalArgumentException(client);
        };
        Dialect providerDialect = switch (provider) {
            case "openai" -> clientDialect == Dialect.OPENAI_RESPONSES ? Dialect.OPENAI_RESPONSES : Dialect.OPENAI_CHAT;
            case "anthropic" -> Dialect.ANTHROPIC;
            case "gemini" -> Dialect.GEMINI;
            default -> throw new IllegalArgumentException(provider);
        };
        clientCodec = Codec.of(clientDialect);
        providerCodec = Codec.of(providerDialect);
        opaque = new OpaqueState(StateSealer.withSecret("benchmark-secret-0123456789"));
        ChatRequest request = typicalRequest();
        clientRequest = clientCodec.encodeRequest(request, "some-model");
        providerAnswer = providerCodec.encodeResponse(typicalAnswer(providerDialect == Dialect.GEMINI));
        context = new ResponseContext(1_750_000_000L, "resp_bench", request.turns().size());
    }

    @Benchmark
    public byte[] request(Blackhole bh) {
        DropLog dropped = new DropLog();
        ChatRequest decoded = opaque.unseal(clientCodec.decodeRequest(clientRequest, dropped));
        // As Conversion does for a stream: the prompt estimate its start shows to these clients.
        bh.consume(clientDialect == Dialect.ANTHROPIC || clientDialect == Dialect.GEMINI ? TokenEstimate.of(decoded) : 0);
        return providerCodec.encodeRequest(decoded, "upstream-model", dropped);
    }

    @Benchmark
    public byte[] answer() {
        DropLog dropped = new DropLog();
        ChatResponse decoded = providerCodec.decodeResponse(providerAnswer, context, dropped);
        return clientCodec.encodeResponse(opaque.seal(decoded, clientDialect), dropped);
    }

    static ChatRequest typicalRequest() {
        String sentence = "The deployment pipeline builds the service, runs the integration suite against a "
                + "disposable database and then promotes the image to staging. ";
        List<Turn> turns = new ArrayList<>();
        turns.add(Turn.of(Role.USER, ContentBlock.Text.of("Why did last night's deploy of the billing service "
                + "fail? " + sentence)));
        turns.add(Turn.of(Role.ASSISTANT, ContentBlock.Text.of("Let me look at the pipeline logs."),
                ContentBlock.ToolCall.of("call_a1", "read_logs", "{\"service\":\"billing\",\"since\":\"24h\","
                        + "\"level\":\"error\"}")));
        turns.add(Turn.of(Role.USER, new ContentBlock.ToolResult("call_a1", List.of(ContentBlock.Text.of(
                ("02:14:07 ERROR migration 0042_add_invoice_index failed: lock timeout after 30s\n").repeat(6))),
                false, Optional.empty())));
        turns.add(Turn.of(Role.ASSISTANT, ContentBlock.Text.of("The migration timed out waiting for a lock. "
                + sentence + "I will check which queries held the lock."),
                ContentBlock.ToolCall.of("call_a2", "query_db", "{\"sql\":\"select pid, query, state from "
                        + "pg_stat_activity where wait_event_type = 'Lock'\"}")));
        turns.add(Turn.of(Role.USER, new ContentBlock.ToolResult("call_a2", List.of(ContentBlock.Text.of(
                "[{\"pid\":4411,\"query\":\"update invoices set status = 'sent' where ...\",\"state\":\"active\"}]")),
                false, Optional.empty())));
        turns.add(Turn.of(Role.ASSISTANT, ContentBlock.Text.of("A long-running batch update on invoices held "
                + "the lock. " + sentence + "Running the migration with CREATE INDEX CONCURRENTLY avoids it.")));
        turns.add(Turn.of(Role.USER, ContentBlock.Text.of("Can we make that change safely today? " + sentence)));
        turns.add(Turn.of(Role.ASSISTANT, ContentBlock.Text.of("Yes: the index can be built concurrently, the "
                + "migration must then run outside a transaction. " + sentence)));
        turns.add(Turn.of(Role.USER, ContentBlock.Text.of("Write the migration and tell me how to roll it back. "
                + sentence)));
        turns.add(Turn.of(Role.ASSISTANT, ContentBlock.Text.of("Here is the migration. " + sentence + sentence)));
        turns.add(Turn.of(Role.USER, ContentBlock.Text.of("Thanks. Now check the staging logs too.")));
        Json schema = new Json.Obj(Map.of("type", new Json.Str("object"), "properties", new Json.Obj(Map.of(
                "service", new Json.Obj(Map.of("type", new Json.Str("string"), "description",
                        new Json.Str("Service name as in the deploy manifest"))),
                "since", new Json.Obj(Map.of("type", new Json.Str("string"), "description",
                        new Json.Str("How far back, e.g. 24h"))))),
                "required", new Json.Arr(List.of(new Json.Str("service")))));
        Json sql = new Json.Obj(Map.of("type", new Json.Str("object"), "properties", new Json.Obj(Map.of(
                "sql", new Json.Obj(Map.of("type", new Json.Str("string"))))),
                "required", new Json.Arr(List.of(new Json.Str("sql")))));
        List<ToolDefinition> tools = List.of(
                new ToolDefinition("read_logs", Optional.of("Read a service's logs"), Optional.of(schema),
                        Optional.empty(), Optional.empty()),
                new ToolDefinition("query_db", Optional.of("Run a read-only SQL query"), Optional.of(sql),
                        Optional.empty(), Optional.empty()));
        GenerationSettings gen = new GenerationSettings(Optional.of(2048), Optional.of(0.2), Optional.empty(),
                Optional.empty(), List.of(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
        return new ChatRequest(Optional.of("some-model"), List.of(ContentBlock.Text.of("You are an SRE assistant. "
                + "Be precise, cite log lines, and prefer reversible changes. " + sentence)), turns, tools,
                Optional.of(new ToolChoice.Auto()), Optional.empty(), gen, Optional.empty(), Optional.empty(),
                Map.of(), false, false, Extensions.none());
    }

    static ChatResponse typicalAnswer(boolean withSignature) {
        byte[] sig = new byte[300];
        new Random(1).nextBytes(sig);
        Optional<String> signature = withSignature ? Optional.of(Base64.getEncoder().encodeToString(sig))
                : Optional.empty();
        return new ChatResponse("resp_1", "some-model", 1_750_000_000L, List.of(
                ContentBlock.Text.of("I will read the staging logs for the billing service from the last day, "
                        + "then compare them with production to see whether the lock timeout recurs."),
                new ContentBlock.ToolCall("call_b1", "read_logs", "{\"service\":\"billing-staging\",\"since\":\"24h\"}",
                        signature, Optional.empty())),
                StopReason.TOOL_USE, Optional.empty(), new Usage(1200, 0, 0, 85, 0));
    }
}
