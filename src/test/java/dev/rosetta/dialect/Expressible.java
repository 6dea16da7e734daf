package dev.rosetta.dialect;

import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.Json;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.Role;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import dev.rosetta.model.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a dialect can express of a request, as a request: the normal form a round trip through that
 * dialect's codec must reproduce. Idempotent; covers what the property generator produces (text,
 * images, tool calls and results, system prompt, tools, tool choice, generation settings).
 */
final class Expressible {
    /** Gemini's stand-in signature on the first call of a turn replayed without one. */
    private static final String SKIP_SIGNATURE = "skip_thought_signature_validator";

    private Expressible() {
    }

    static ChatRequest in(Dialect d, ChatRequest r) {
        List<ContentBlock.Text> system = r.system().isEmpty() ? List.of() : List.of(ContentBlock.Text.of(r.systemText()));
        List<Turn> turns = new ArrayList<>();
        for (Turn t : r.mergedTurns()) {
            turns.add(new Turn(t.role(), t.role() == Role.USER ? user(d, t.content()) : assistant(d, t.content())));
        }
        List<ToolDefinition> tools = r.tools().stream().map(t -> tool(d, t)).toList();
        GenerationSettings g = r.generation();
        GenerationSettings gen = new GenerationSettings(
                d == Dialect.ANTHROPIC ? g.maxTokens().or(() -> Optional.of(4096)) : g.maxTokens(),
                g.temperature(), g.topP(), g.topK(), d == Dialect.OPENAI_RESPONSES ? List.of() : g.stopSequences(),
                g.seed(), g.n(), g.presencePenalty(), g.frequencyPenalty(), g.responseFormat());
        Extensions ext = d == Dialect.OPENAI_RESPONSES
                ? Extensions.none().withResponses(new Extensions.Responses(Optional.empty(), Optional.of(false),
                        List.of(), Optional.empty(), Optional.empty(), Optional.empty()))
                : r.extensions();
        // Without tools a tool choice is not sent (OpenAI refuses one there); Gemini keeps its toolConfig.
        boolean choice = !tools.isEmpty() || d == Dialect.GEMINI;
        return new ChatRequest(d == Dialect.GEMINI ? Optional.empty() : r.model(), system, turns, tools,
                choice ? r.toolChoice() : Optional.empty(), choice ? r.parallelToolCalls() : Optional.empty(), gen, r.reasoning(), r.user(), r.metadata(), false, false, ext);
    }

    static ChatResponse in(Dialect d, ChatResponse r) {
        List<ContentBlock> content = d == Dialect.OPENAI_CHAT ? assistant(d, r.content()) : r.content();
        StopReason stop = r.hasToolCalls() && r.stopReason().overridableByToolCalls() ? StopReason.TOOL_USE
                : r.stopReason();
        Usage u = r.usage();
        Usage usage = switch (d) {
            // Prompt tokens include the cached ones; a cache write is not reported apart.
            case OPENAI_CHAT, OPENAI_RESPONSES, GEMINI -> new Usage(u.inputUncached() + u.cacheWrite(), u.cacheRead(),
                    0, u.output(), u.reasoning());
            // Anthropic does not report thinking tokens apart.
            case ANTHROPIC -> new Usage(u.inputUncached(), u.cacheRead(), u.cacheWrite(), u.output(), 0);
        };
        return new ChatResponse(r.id(), r.model(), r.created(), content, stop, r.stopSequence(), usage);
    }

    private static List<ContentBlock> user(Dialect d, List<ContentBlock> blocks) {
        List<ContentBlock> results = new ArrayList<>();
        List<ContentBlock> rest = new ArrayList<>();
        for (ContentBlock b : blocks) {
            switch (b) {
                case ContentBlock.ToolResult r -> results.add(switch (d) {
                    case OPENAI_CHAT, OPENAI_RESPONSES -> new ContentBlock.ToolResult(r.toolCallId(),
                            List.of(ContentBlock.Text.of(r.isError() ? "Error: " + r.text() : r.text())), false,
                            Optional.empty());
                    case ANTHROPIC, GEMINI -> new ContentBlock.ToolResult(r.toolCallId(),
                            List.of(ContentBlock.Text.of(r.text())), r.isError(), Optional.empty());
                });
                case ContentBlock.Image i -> rest.add(image(d, i));
                default -> rest.add(b);
            }
        }
        results.addAll(rest);
        return results;
    }

    private static ContentBlock image(Dialect d, ContentBlock.Image i) {
        return switch (d) {
            case OPENAI_CHAT -> i;
            case OPENAI_RESPONSES -> new ContentBlock.Image(i.source(), i.detail().or(() -> Optional.of("auto")),
                    Optional.empty());
            case ANTHROPIC -> new ContentBlock.Image(i.source(), Optional.empty(), Optional.empty());
            case GEMINI -> new ContentBlock.Image(i.source() instanceof MediaSource.Url u
                    ? new MediaSource.Url(u.url(), u.mediaType().or(() -> Optional.of(guessMediaType(u.url()))))
                    : i.source(), Optional.empty(), Optional.empty());
        };
    }

    private static String guessMediaType(String url) {
        return url.endsWith(".png") ? "image/png" : url.endsWith(".gif") ? "image/gif" : "image/jpeg";
    }

    private static List<ContentBlock> assistant(Dialect d, List<ContentBlock> blocks) {
        List<ContentBlock> out = new ArrayList<>();
        if (d == Dialect.OPENAI_CHAT) {
            // One content string and a list of calls.
            StringBuilder text = new StringBuilder();
            blocks.forEach(b -> {
                if (b instanceof ContentBlock.Text t) {
                    text.append(t.text());
                }
            });
            if (!text.isEmpty()) {
                out.add(ContentBlock.Text.of(text.toString()));
            }
            blocks.stream().filter(b -> b instanceof ContentBlock.ToolCall).forEach(out::add);
            return out;
        }
        boolean first = true;
        for (ContentBlock b : blocks) {
            if (d == Dialect.GEMINI && b instanceof ContentBlock.ToolCall c) {
                if (first && c.thoughtSignature().isEmpty()) {
                    b = new ContentBlock.ToolCall(c.id(), c.name(), c.arguments(), Optional.of(SKIP_SIGNATURE),
                            c.cacheControl());
                }
                first = false;
            }
            out.add(b);
        }
        return out;
    }

    private static ToolDefinition tool(Dialect d, ToolDefinition t) {
        return switch (d) {
            case OPENAI_CHAT, GEMINI -> t;
            case OPENAI_RESPONSES -> new ToolDefinition(t.name(), t.description(), t.parameters(),
                    t.strict().or(() -> Optional.of(false)), t.cacheControl());
            case ANTHROPIC -> new ToolDefinition(t.name(), t.description(), t.parameters().or(() -> Optional.of(
                    new Json.Obj(Map.of("type", new Json.Str("object"), "properties", Json.Obj.empty())))),
                    t.strict(), t.cacheControl());
        };
    }
}
