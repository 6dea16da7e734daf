package dev.rosetta.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rosetta.testing.FakeUpstream;
import dev.rosetta.testing.FakeUpstream.Recorded;
import dev.rosetta.testing.FakeUpstream.Reply;
import dev.rosetta.testing.FakeUpstream.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The stream goldens' upstream answers ({@code golden-stream/<client>-from-<provider>/<case>/upstream.sse},
 * real provider wire streams) as the fake upstream plays them for the streaming SDK tests, one SSE
 * event per write, and what each of them says, so a test can check that the SDK assembled exactly
 * what the provider sent.
 */
final class StreamGoldens {

    enum Case {
        PLAIN_TEXT, TOOL_CALL, PARALLEL_TOOL_CALLS, THINKING_TEXT, MAX_TOKENS, ERROR_MID_STREAM, CUT_CONNECTION;

        String dir() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The golden directory prefix of a client dialect. */
    enum Client {
        OPENAI_CHAT("openai_chat"), OPENAI_RESPONSES("openai_responses"), ANTHROPIC("anthropic"), GEMINI("gemini");

        final String dir;

        Client(String dir) {
            this.dir = dir;
        }
    }

    /** A tool call as the provider sent it; {@code id} is empty when the provider gives none (Gemini). */
    record Call(String id, String name, String argumentsJson) {
        JsonNode arguments() {
            return Upstream.readJson(argumentsJson);
        }
    }

    /**
     * Token counts in neutral terms: {@code prompt} includes cache reads and writes, {@code output}
     * includes thinking.
     */
    record Tokens(long prompt, long cacheRead, long cacheWrite, long output, long thoughts) {
        long uncachedPrompt() {
            return prompt - cacheRead - cacheWrite;
        }

        long total() {
            return prompt + output;
        }
    }

    private StreamGoldens() {
    }

    static String sse(Client client, Upstream up, Case c) {
        Path file = Path.of("src/test/resources/golden-stream",
                client.dir + "-from-" + up.name().toLowerCase(Locale.ROOT), c.dir(), "upstream.sse");
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The golden split into events, each with its blank line; a cut-short tail is its own last piece. */
    static List<String> events(String sse) {
        List<String> events = new ArrayList<>();
        int start = 0;
        for (int i = sse.indexOf("\n\n"); i >= 0; i = sse.indexOf("\n\n", start)) {
            events.add(sse.substring(start, i + 2));
            start = i + 2;
        }
        if (start < sse.length()) {
            events.add(sse.substring(start));
        }
        return events;
    }

    /** The golden as the provider streams it; the cut case breaks the connection after its bytes. */
    static Reply reply(Client client, Upstream up, Case c) {
        List<Step> steps = new ArrayList<>();
        events(sse(client, up, c)).forEach(e -> steps.add(write(e)));
        if (c == Case.CUT_CONNECTION) {
            steps.add(new Step.Cut());
            return Reply.stream("text/event-stream", steps, false);
        }
        return Reply.stream("text/event-stream", steps, true);
    }

    /** The plain-text golden, held after the event carrying the first text delta ("Hello") until {@code gate}. */
    static Reply live(Client client, Upstream up, CompletableFuture<?> gate) {
        List<Step> steps = new ArrayList<>();
        boolean held = false;
        for (String e : events(sse(client, up, Case.PLAIN_TEXT))) {
            steps.add(write(e));
            if (!held && e.contains("\"Hello\"")) {
                steps.add(new Step.Await(gate));
                held = true;
            }
        }
        assertThat(held).as("the plain-text golden has a \"Hello\" delta").isTrue();
        return Reply.stream("text/event-stream", steps, true);
    }

    /** HTTP 200, then at once the provider's error event from the mid-stream golden, then the end. */
    static Reply errorFirst(Client client, Upstream up) {
        List<String> events = events(sse(client, up, Case.ERROR_MID_STREAM));
        return Reply.stream("text/event-stream", List.of(write(events.get(events.size() - 1))), true);
    }

    /** What the error event of {@link Case#ERROR_MID_STREAM} says, as the provider words it. */
    static String errorMessage(Client client, Upstream up) {
        return switch (up) {
            case OPENAI -> "The server had an error while processing your request.";
            case ANTHROPIC -> "Overloaded";
            case GEMINI -> "The model is overloaded. Please try again later.";
        };
    }

    /** The HTTP status the mid-stream error event stands for. */
    static int errorStatus(Upstream up) {
        return switch (up) {
            case OPENAI -> 500;
            case ANTHROPIC -> 529;
            case GEMINI -> 503;
        };
    }

    static String id(Client client, Upstream up) {
        return switch (up) {
            case OPENAI -> client == Client.OPENAI_RESPONSES ? "resp_1" : "chatcmpl-1";
            case ANTHROPIC -> "msg_01";
            case GEMINI -> "abc";
        };
    }

    static String model(Upstream up) {
        return switch (up) {
            case OPENAI -> "gpt-4.1";
            case ANTHROPIC -> "claude-sonnet-4-5";
            case GEMINI -> "gemini-2.5-flash";
        };
    }

    /** The text of each golden (the cut and error ones: what came before the break). */
    static String text(Case c) {
        return switch (c) {
            case PLAIN_TEXT -> "Hello there!";
            case TOOL_CALL -> "Let me check.";
            case PARALLEL_TOOL_CALLS -> "";
            case THINKING_TEXT -> "Hi!";
            case MAX_TOKENS -> "Once upon a time";
            case ERROR_MID_STREAM -> "Hello";
            case CUT_CONNECTION -> "Hello th";
        };
    }

    static final String THINKING = "The user greets me. Answer briefly.";

    static List<Call> calls(Client client, Upstream up, Case c) {
        return switch (c) {
            case TOOL_CALL -> List.of(new Call(switch (up) {
                case OPENAI -> "call_abc";
                case ANTHROPIC -> "toolu_01A";
                case GEMINI -> "";
            }, "get_weather", "{\"city\":\"Paris\"}"));
            case PARALLEL_TOOL_CALLS -> List.of(
                    new Call(switch (up) {
                        case OPENAI -> "call_1";
                        case ANTHROPIC -> "toolu_01A";
                        case GEMINI -> "";
                    }, "get_weather", "{\"city\":\"Paris\"}"),
                    new Call(switch (up) {
                        case OPENAI -> "call_2";
                        case ANTHROPIC -> "toolu_01B";
                        case GEMINI -> "";
                    }, "get_time", "{\"tz\":\"CET\"}"));
            default -> List.of();
        };
    }

    /** The usage the provider reported at the end of {@code c}. */
    static Tokens tokens(Upstream up, Case c) {
        return switch (c) {
            case PLAIN_TEXT -> switch (up) {
                case OPENAI -> new Tokens(9, 0, 0, 3, 0);
                case ANTHROPIC -> new Tokens(9, 0, 0, 6, 0);
                case GEMINI -> new Tokens(9, 0, 0, 3, 0);
            };
            case PARALLEL_TOOL_CALLS -> switch (up) {
                case OPENAI -> new Tokens(90, 64, 0, 40, 0);
                case ANTHROPIC -> new Tokens(2648, 2048, 100, 120, 0);
                case GEMINI -> new Tokens(90, 64, 0, 50, 30);
            };
            default -> throw new IllegalArgumentException("no usage facts for " + c);
        };
    }

    /** Checks the request reached the provider as a stream, on its streaming path. */
    static JsonNode takeStreamRequest(FakeUpstream fake, Client client, Upstream up) {
        Recorded r = fake.take();
        up.assertAuthenticated(r);
        JsonNode body = Upstream.readJson(r.bodyText());
        switch (up) {
            case OPENAI -> {
                assertThat(r.path()).isEqualTo(client == Client.OPENAI_RESPONSES ? "/v1/responses" : "/v1/chat/completions");
                assertThat(body.get("stream").asBoolean()).isTrue();
            }
            case ANTHROPIC -> {
                assertThat(r.path()).isEqualTo("/v1/messages");
                assertThat(body.get("stream").asBoolean()).isTrue();
            }
            case GEMINI -> {
                assertThat(r.path()).isEqualTo("/v1beta/models/gemini-upstream:streamGenerateContent");
                assertThat(r.query()).isEqualTo("alt=sse");
            }
        }
        return body;
    }

    /** Tool calls by name, for comparing regardless of order. */
    static Map<String, Call> byName(List<Call> calls) {
        Map<String, Call> m = new LinkedHashMap<>();
        calls.forEach(c -> m.put(c.name(), c));
        return m;
    }

    private static Step write(String s) {
        return new Step.Write(s.getBytes(StandardCharsets.UTF_8));
    }
}
