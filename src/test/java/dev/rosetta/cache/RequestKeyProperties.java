package dev.rosetta.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The cache key is the meaning of a request: one conversation written in each of the four client
 * dialects has one key; changing anything that changes the answer changes it; noise does not.
 */
class RequestKeyProperties {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET = "model|provider|upstream";

    /** A conversation every dialect can say: system, user and assistant text, one tool and one call of it. */
    record Conversation(Optional<String> system, List<String> userTexts, List<String> assistantTexts,
                        Optional<Call> call, int maxTokens, Optional<Double> temperature, Optional<Double> topP) {
    }

    /** A tool, its one call in the history (arguments {"q": arg}) and the result. */
    record Call(String tool, String description, String id, String arg, String result) {
    }

    @Provide
    Arbitrary<Conversation> conversations() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange('a', 'z').withChars(' ', 'é', '"', '\n', '漢')
                .ofMinLength(1).ofMaxLength(30);
        Arbitrary<Call> call = Combinators.combine(Arbitraries.of("search", "lookup", "get_weather"), text,
                Arbitraries.strings().alpha().ofMinLength(3).ofMaxLength(12).map(s -> "call_" + s), text, text)
                .as(Call::new);
        Arbitrary<Integer> turns = Arbitraries.integers().between(1, 3);
        return turns.flatMap(n -> Combinators.combine(text.optional(), text.list().ofSize(n), text.list().ofSize(n - 1),
                call.optional(), Arbitraries.integers().between(1, 8000),
                Arbitraries.of(0.0, 0.2, 0.7, 1.0, 1.5).optional(), Arbitraries.of(0.1, 0.5, 0.9, 1.0).optional())
                .as(Conversation::new));
    }

    @Property(tries = 300)
    void theSameConversationInEveryDialectHasOneKey(@ForAll("conversations") Conversation c) {
        Map<Dialect, String> keys = new EnumMap<>(Dialect.class);
        for (Dialect d : Dialect.values()) {
            keys.put(d, key(d, write(d, c, x -> { })));
        }
        assertThat(keys.values()).as("keys by dialect: %s", keys).containsOnly(keys.get(Dialect.OPENAI_CHAT));
    }

    @Property(tries = 200)
    void noiseDoesNotChangeTheKey(@ForAll("conversations") Conversation c, @ForAll Dialect d) {
        String plain = key(d, write(d, c, x -> { }));
        ObjectNode noisy = write(d, c, body -> {
            switch (d) {
                case OPENAI_CHAT -> {
                    body.put("stream", true).put("user", "u-42").put("service_tier", "flex").put("store", true)
                            .put("prompt_cache_key", "k").put("safety_identifier", "s");
                    body.putObject("stream_options").put("include_usage", true);
                    body.putObject("metadata").put("trace", "abc");
                    body.put("tool_choice", "auto").put("parallel_tool_calls", true).put("n", 1);
                }
                case OPENAI_RESPONSES -> {
                    body.put("stream", true).put("user", "u-42").put("store", false).put("service_tier", "flex")
                            .put("truncation", "disabled");
                    body.putObject("metadata").put("trace", "abc");
                }
                case ANTHROPIC -> {
                    body.put("stream", true).put("service_tier", "auto");
                    body.putObject("metadata").put("user_id", "u-42");
                }
                case GEMINI -> body.putObject("generationConfig").put("maxOutputTokens", c.maxTokens())
                        .put("candidateCount", 1);
            }
        });
        if (d == Dialect.GEMINI) {
            c.temperature().ifPresent(t -> ((ObjectNode) noisy.get("generationConfig")).put("temperature", t));
            c.topP().ifPresent(t -> ((ObjectNode) noisy.get("generationConfig")).put("topP", t));
        }
        assertThat(key(d, noisy)).isEqualTo(plain);
    }

    @Property(tries = 200)
    void whatChangesTheAnswerChangesTheKey(@ForAll("conversations") Conversation c, @ForAll Dialect d,
                                           @ForAll("changes") Change change) {
        String before = key(d, write(d, c, x -> { }));
        Conversation changed = change.apply(c);
        if (changed.equals(c)) {
            return;
        }
        assertThat(key(d, write(d, changed, x -> { }))).as(change.name()).isNotEqualTo(before);
    }

    @Property(tries = 100)
    void theTargetIsPartOfTheKey(@ForAll("conversations") Conversation c) {
        var request = Codec.of(Dialect.OPENAI_CHAT).decodeRequest(bytes(write(Dialect.OPENAI_CHAT, c, x -> { })));
        assertThat(RequestKey.of("a|p|m", request)).isNotEqualTo(RequestKey.of("b|p|m", request));
    }

    @Property(tries = 100)
    void settingsOnlySomeDialectsHaveChangeTheKey(@ForAll("conversations") Conversation c) {
        String plain = key(Dialect.OPENAI_CHAT, write(Dialect.OPENAI_CHAT, c, x -> { }));
        List<Consumer<ObjectNode>> settings = List.of(b -> b.put("seed", 7), b -> b.putArray("stop").add("END"),
                b -> b.put("presence_penalty", 0.5), b -> b.put("frequency_penalty", 0.5),
                b -> b.put("reasoning_effort", "high"), b -> b.putObject("response_format").put("type", "json_object"),
                b -> b.put("tool_choice", "none"), b -> b.put("parallel_tool_calls", false));
        for (Consumer<ObjectNode> s : settings) {
            assertThat(key(Dialect.OPENAI_CHAT, write(Dialect.OPENAI_CHAT, c, s))).isNotEqualTo(plain);
        }
    }

    record Change(String name, java.util.function.UnaryOperator<Conversation> apply) {
        Conversation apply(Conversation c) {
            return apply.apply(c);
        }
    }

    @Provide
    Arbitrary<Change> changes() {
        return Arbitraries.of(
                new Change("system", c -> new Conversation(Optional.of(c.system().orElse("") + "!"), c.userTexts(),
                        c.assistantTexts(), c.call(), c.maxTokens(), c.temperature(), c.topP())),
                new Change("last user text", c -> {
                    List<String> u = new ArrayList<>(c.userTexts());
                    u.set(u.size() - 1, u.get(u.size() - 1) + "?");
                    return new Conversation(c.system(), u, c.assistantTexts(), c.call(), c.maxTokens(), c.temperature(),
                            c.topP());
                }),
                new Change("max tokens", c -> new Conversation(c.system(), c.userTexts(), c.assistantTexts(), c.call(),
                        c.maxTokens() + 1, c.temperature(), c.topP())),
                new Change("temperature", c -> new Conversation(c.system(), c.userTexts(), c.assistantTexts(), c.call(),
                        c.maxTokens(), Optional.of(c.temperature().orElse(0.5) + 0.25), c.topP())),
                new Change("top_p", c -> new Conversation(c.system(), c.userTexts(), c.assistantTexts(), c.call(),
                        c.maxTokens(), c.temperature(), Optional.of(c.topP().orElse(0.5) / 2))),
                new Change("tool result", c -> new Conversation(c.system(), c.userTexts(), c.assistantTexts(),
                        c.call().map(x -> new Call(x.tool(), x.description(), x.id(), x.arg(), x.result() + "."))
                                .or(() -> Optional.of(new Call("t", "d", "call_1", "a", "r"))),
                        c.maxTokens(), c.temperature(), c.topP())),
                new Change("tool arguments", c -> new Conversation(c.system(), c.userTexts(), c.assistantTexts(),
                        c.call().map(x -> new Call(x.tool(), x.description(), x.id(), x.arg() + "x", x.result())),
                        c.maxTokens(), c.temperature(), c.topP())),
                new Change("tool description", c -> new Conversation(c.system(), c.userTexts(), c.assistantTexts(),
                        c.call().map(x -> new Call(x.tool(), x.description() + " more", x.id(), x.arg(), x.result())),
                        c.maxTokens(), c.temperature(), c.topP())));
    }

    private static String key(Dialect d, ObjectNode body) {
        return RequestKey.of(TARGET, Codec.of(d).decodeRequest(bytes(body)));
    }

    private static byte[] bytes(ObjectNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The conversation in dialect {@code d}: user and assistant texts alternate; the tool call, if any,
     * follows the first user text and its result comes before the next user text.
     */
    static ObjectNode write(Dialect d, Conversation c, Consumer<ObjectNode> extra) {
        ObjectNode b = JSON.createObjectNode();
        switch (d) {
            case OPENAI_CHAT -> {
                b.put("model", "m");
                ArrayNode msgs = b.putArray("messages");
                c.system().ifPresent(s -> msgs.addObject().put("role", "system").put("content", s));
                for (int i = 0; i < c.userTexts().size(); i++) {
                    msgs.addObject().put("role", "user").put("content", c.userTexts().get(i));
                    if (i == 0 && c.call().isPresent()) {
                        Call k = c.call().get();
                        ObjectNode a = msgs.addObject().put("role", "assistant");
                        a.putNull("content");
                        ObjectNode tc = a.putArray("tool_calls").addObject().put("id", k.id()).put("type", "function");
                        tc.putObject("function").put("name", k.tool()).put("arguments", args(k, true));
                        msgs.addObject().put("role", "tool").put("tool_call_id", k.id()).put("content", k.result());
                    }
                    if (i < c.assistantTexts().size()) {
                        msgs.addObject().put("role", "assistant").put("content", c.assistantTexts().get(i));
                    }
                }
                b.put("max_completion_tokens", c.maxTokens());
                c.call().ifPresent(k -> {
                    ObjectNode f = b.putArray("tools").addObject().put("type", "function").putObject("function");
                    f.put("name", k.tool()).put("description", k.description()).set("parameters", schema());
                });
            }
            case OPENAI_RESPONSES -> {
                b.put("model", "m");
                c.system().ifPresent(s -> b.put("instructions", s));
                ArrayNode input = b.putArray("input");
                for (int i = 0; i < c.userTexts().size(); i++) {
                    input.addObject().put("role", "user").put("content", c.userTexts().get(i));
                    if (i == 0 && c.call().isPresent()) {
                        Call k = c.call().get();
                        input.addObject().put("type", "function_call").put("call_id", k.id()).put("name", k.tool())
                                .put("arguments", args(k, false));
                        input.addObject().put("type", "function_call_output").put("call_id", k.id())
                                .put("output", k.result());
                    }
                    if (i < c.assistantTexts().size()) {
                        input.addObject().put("role", "assistant").put("content", c.assistantTexts().get(i));
                    }
                }
                b.put("max_output_tokens", c.maxTokens());
                c.call().ifPresent(k -> b.putArray("tools").addObject().put("type", "function").put("name", k.tool())
                        .put("description", k.description()).put("strict", false).set("parameters", schema()));
            }
            case ANTHROPIC -> {
                b.put("model", "m");
                c.system().ifPresent(s -> b.put("system", s));
                ArrayNode msgs = b.putArray("messages");
                for (int i = 0; i < c.userTexts().size(); i++) {
                    msgs.addObject().put("role", "user").put("content", c.userTexts().get(i));
                    if (i == 0 && c.call().isPresent()) {
                        Call k = c.call().get();
                        ObjectNode use = msgs.addObject().put("role", "assistant").putArray("content").addObject()
                                .put("type", "tool_use").put("id", k.id()).put("name", k.tool());
                        use.putObject("input").put("q", k.arg());
                        msgs.addObject().put("role", "user").putArray("content").addObject().put("type", "tool_result")
                                .put("tool_use_id", k.id()).put("content", k.result());
                    }
                    if (i < c.assistantTexts().size()) {
                        msgs.addObject().put("role", "assistant").put("content", c.assistantTexts().get(i));
                    }
                }
                b.put("max_tokens", c.maxTokens());
                c.call().ifPresent(k -> b.putArray("tools").addObject().put("name", k.tool())
                        .put("description", k.description()).set("input_schema", schema()));
            }
            case GEMINI -> {
                c.system().ifPresent(s -> b.putObject("systemInstruction").putArray("parts").addObject().put("text", s));
                ArrayNode contents = b.putArray("contents");
                for (int i = 0; i < c.userTexts().size(); i++) {
                    contents.addObject().put("role", "user").putArray("parts").addObject().put("text", c.userTexts().get(i));
                    if (i == 0 && c.call().isPresent()) {
                        Call k = c.call().get();
                        ObjectNode fc = contents.addObject().put("role", "model").putArray("parts").addObject()
                                .putObject("functionCall").put("id", k.id()).put("name", k.tool());
                        fc.putObject("args").put("q", k.arg());
                        ObjectNode fr = contents.addObject().put("role", "user").putArray("parts").addObject()
                                .putObject("functionResponse").put("id", k.id()).put("name", k.tool());
                        fr.putObject("response").put("output", k.result());
                    }
                    if (i < c.assistantTexts().size()) {
                        contents.addObject().put("role", "model").putArray("parts").addObject()
                                .put("text", c.assistantTexts().get(i));
                    }
                }
                ObjectNode g = b.putObject("generationConfig").put("maxOutputTokens", c.maxTokens());
                c.temperature().ifPresent(t -> g.put("temperature", t));
                c.topP().ifPresent(t -> g.put("topP", t));
                c.call().ifPresent(k -> b.putArray("tools").addObject().putArray("functionDeclarations").addObject()
                        .put("name", k.tool()).put("description", k.description()).set("parameters", schema()));
            }
        }
        if (d != Dialect.GEMINI) {
            c.temperature().ifPresent(t -> b.put("temperature", t));
            c.topP().ifPresent(t -> b.put("top_p", t));
        }
        extra.accept(b);
        return b;
    }

    /** Arguments as a model writes them: spaced in one dialect, compact in another. */
    private static String args(Call k, boolean spaced) {
        ObjectNode a = JSON.createObjectNode().put("q", k.arg());
        return spaced ? a.toPrettyString() : a.toString();
    }

    private static ObjectNode schema() {
        ObjectNode s = JSON.createObjectNode().put("type", "object");
        s.putObject("properties").putObject("q").put("type", "string");
        s.putArray("required").add("q");
        return s;
    }
}
