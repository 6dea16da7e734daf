package dev.rosetta.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.Json;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.Role;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import dev.rosetta.model.Usage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * decode(encode(x)) keeps everything of a random conversation (and of a random answer) that the
 * dialect can express. Each
 * dialect has a normaliser that maps a request to what that dialect can say (system prompt joined,
 * texts concatenated, defaults filled in, ...); both sides are normalised and must then be equal.
 */
class CodecRoundTripProperties {
    private static final String MODEL = "m";
    private static final ResponseContext CONTEXT = new ResponseContext(1_750_000_000L, "resp_fallback", 3);

    @Property(tries = 200)
    void openAiChat(@ForAll("requests") ChatRequest x) {
        assertSurvives(Dialect.OPENAI_CHAT, x);
    }

    @Property(tries = 200)
    void openAiResponses(@ForAll("requests") ChatRequest x) {
        assertSurvives(Dialect.OPENAI_RESPONSES, x);
    }

    @Property(tries = 200)
    void anthropic(@ForAll("requests") ChatRequest x) {
        assertSurvives(Dialect.ANTHROPIC, x);
    }

    @Property(tries = 200)
    void gemini(@ForAll("requests") ChatRequest x) {
        assertSurvives(Dialect.GEMINI, x);
    }

    @Property(tries = 200)
    void answersSurviveEveryDialect(@ForAll("answers") ChatResponse x, @ForAll Dialect d) {
        Codec codec = Codec.of(d);
        ChatResponse back = codec.decodeResponse(codec.encodeResponse(x), CONTEXT);
        assertThat(Expressible.in(d, back)).isEqualTo(Expressible.in(d, x));
    }

    private static void assertSurvives(Dialect d, ChatRequest x) {
        // Coverage, in the surefire output: how many turns, tools, and whether the history has tool calls.
        Statistics.collect(x.turns().size(), x.tools().size(), x.hasToolHistory());
        Codec codec = Codec.of(d);
        ChatRequest back = codec.decodeRequest(codec.encodeRequest(x, MODEL));
        assertThat(Expressible.in(d, back)).isEqualTo(Expressible.in(d, x));
    }

    // ---- generator: small conversations of user and assistant rounds -----------------------------

    private record Call(String name, String arguments) {
    }

    private record Round(List<ContentBlock> user, List<String> assistantTexts, List<Call> calls,
                         List<String> results, boolean error) {
    }

    private static Arbitrary<String> words() {
        return Arbitraries.of("hello", "Paris", "weather", "ok", "a b", "Ünïcødé", "line\nbreak", "x\"quoted\"",
                "{not json", "42").list().ofMinSize(1).ofMaxSize(3).map(w -> String.join(" ", w));
    }

    private static Arbitrary<ContentBlock> userBlock() {
        Arbitrary<ContentBlock> text = words().map(ContentBlock.Text::of);
        Arbitrary<ContentBlock> b64 = Arbitraries.of("iVBORw0KGgo=", "R0lGODlhAQABAAAAACw=").map(data ->
                new ContentBlock.Image(new MediaSource.Base64("image/png", data), Optional.empty(), Optional.empty()));
        Arbitrary<ContentBlock> url = Arbitraries.of("https://example.com/a.png", "https://example.com/b.jpg")
                .map(u -> new ContentBlock.Image(new MediaSource.Url(u, Optional.empty()), Optional.empty(),
                        Optional.empty()));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, text), net.jqwik.api.Tuple.of(1, b64), net.jqwik.api.Tuple.of(1, url));
    }

    private static Arbitrary<Call> call() {
        Arbitrary<String> args = Combinators.combine(Arbitraries.of("city", "q", "n"), words(),
                Arbitraries.integers().between(-5, 500)).as((k, v, n) -> k.equals("n")
                ? "{\"n\":" + n + "}" : "{\"" + k + "\":" + quote(v) + "}");
        return Combinators.combine(Arbitraries.of("get_weather", "search", "get_time"), args).as(Call::new);
    }

    private static Arbitrary<Round> round() {
        return Combinators.combine(userBlock().list().ofMinSize(1).ofMaxSize(3),
                words().list().ofMaxSize(2), call().list().ofMaxSize(2), words().list().ofMinSize(2).ofMaxSize(2),
                Arbitraries.of(false, false, true)).as(Round::new);
    }

    private static Arbitrary<ToolDefinition> tool() {
        Json schema = new Json.Obj(new LinkedHashMap<>(Map.of("type", new Json.Str("object"), "properties",
                new Json.Obj(Map.of("city", new Json.Obj(Map.of("type", new Json.Str("string")))))))) ;
        return Combinators.combine(Arbitraries.of("get_weather", "search", "get_time"),
                words().optional(), Arbitraries.of(Optional.of(schema), Optional.<Json>empty()))
                .as((n, desc, params) -> new ToolDefinition(n, desc, params, Optional.empty(), Optional.empty()));
    }

    private static Arbitrary<GenerationSettings> generation() {
        return Combinators.combine(Arbitraries.integers().between(1, 8000).optional(),
                Arbitraries.of(0.0, 0.5, 0.7, 1.0).optional(), Arbitraries.of(0.1, 0.9, 1.0).optional(),
                Arbitraries.of("END", "###", "stop here").list().ofMaxSize(3).uniqueElements())
                .as((max, t, p, stop) -> new GenerationSettings(max, t, p, Optional.empty(), stop, Optional.empty(),
                        Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Provide
    Arbitrary<ChatRequest> requests() {
        Arbitrary<List<ContentBlock.Text>> system = words().map(ContentBlock.Text::of).list().ofMaxSize(2);
        Arbitrary<List<ToolDefinition>> tools = tool().list().ofMaxSize(2).uniqueElements(ToolDefinition::name);
        Arbitrary<Integer> choice = Arbitraries.integers().between(0, 4);
        return Combinators.combine(system, tools, round().list().ofMinSize(1).ofMaxSize(4), generation(), choice)
                .as(CodecRoundTripProperties::request);
    }

    private static ChatRequest request(List<ContentBlock.Text> system, List<ToolDefinition> tools, List<Round> rounds,
                                       GenerationSettings gen, int choiceIndex) {
        List<Turn> turns = new ArrayList<>();
        List<String> pending = List.of();
        Round previous = null;
        for (int r = 0; r < rounds.size(); r++) {
            Round round = rounds.get(r);
            List<ContentBlock> user = new ArrayList<>();
            for (int i = 0; i < pending.size(); i++) {
                user.add(new ContentBlock.ToolResult(pending.get(i), List.of(ContentBlock.Text.of(
                        previous.results().get(i))), previous.error() && i == 0, Optional.empty()));
            }
            user.addAll(round.user());
            turns.add(new Turn(Role.USER, user));
            if (r == rounds.size() - 1) {
                break;
            }
            List<ContentBlock> assistant = new ArrayList<>();
            round.assistantTexts().forEach(t -> assistant.add(ContentBlock.Text.of(t)));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < round.calls().size(); i++) {
                String id = "call_" + r + "x" + i;
                ids.add(id);
                assistant.add(ContentBlock.ToolCall.of(id, round.calls().get(i).name(),
                        round.calls().get(i).arguments()));
            }
            if (assistant.isEmpty()) {
                assistant.add(ContentBlock.Text.of("ok"));
            }
            turns.add(new Turn(Role.ASSISTANT, assistant));
            pending = ids;
            previous = round;
        }
        Optional<ToolChoice> choice = switch (choiceIndex) {
            case 1 -> Optional.of(new ToolChoice.Auto());
            case 2 -> Optional.of(new ToolChoice.None());
            case 3 -> Optional.of(new ToolChoice.Required());
            case 4 -> tools.isEmpty() ? Optional.empty() : Optional.of(new ToolChoice.Tool(tools.get(0).name()));
            default -> Optional.empty();
        };
        return new ChatRequest(Optional.of(MODEL), system, turns, tools, choice, Optional.empty(), gen,
                Optional.empty(), Optional.empty(), Map.of(), false, false, Extensions.none());
    }

    @Provide
    Arbitrary<ChatResponse> answers() {
        Arbitrary<List<ContentBlock>> texts = words().map(t -> (ContentBlock) ContentBlock.Text.of(t)).list()
                .ofMaxSize(2);
        Arbitrary<List<Call>> calls = call().list().ofMaxSize(2);
        Arbitrary<Usage> usage = Combinators.combine(Arbitraries.longs().between(0, 5000),
                Arbitraries.longs().between(0, 5000), Arbitraries.longs().between(0, 500),
                Arbitraries.longs().between(0, 2000), Arbitraries.longs().between(0, 2000))
                .as((in, read, write, out, reasoning) -> new Usage(in, read, write, out + reasoning, reasoning));
        return Combinators.combine(texts, calls, Arbitraries.of(StopReason.END_TURN, StopReason.MAX_TOKENS,
                StopReason.TOOL_USE), usage).as((t, c, stop, u) -> {
                    List<ContentBlock> content = new ArrayList<>(t);
                    for (int i = 0; i < c.size(); i++) {
                        content.add(ContentBlock.ToolCall.of("call_9x" + i, c.get(i).name(), c.get(i).arguments()));
                    }
                    if (content.isEmpty()) {
                        content.add(ContentBlock.Text.of("ok"));
                    }
                    StopReason s = stop == StopReason.TOOL_USE && c.isEmpty() ? StopReason.END_TURN : stop;
                    return new ChatResponse("resp_1", MODEL, CONTEXT.created(), content, s, Optional.empty(), u);
                });
    }

    private static String quote(String s) {
        return dev.rosetta.dialect.internal.JsonTrees.writeString(
                com.fasterxml.jackson.databind.node.TextNode.valueOf(s));
    }
}
