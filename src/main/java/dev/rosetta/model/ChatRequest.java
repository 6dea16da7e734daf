package dev.rosetta.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A generation request in no dialect in particular.
 *
 * @param model the model the client asked for; empty when the dialect carries it outside the body (Gemini)
 * @param system the system prompt, collected from wherever the client dialect puts it
 * @param turns the conversation, in order; consecutive turns may share a role (see {@link #mergedTurns()})
 * @param parallelToolCalls whether the model may call several tools at once; empty for the default
 * @param includeUsage whether a stream should report usage (OpenAI {@code stream_options.include_usage})
 * @param sources where in the client's request its parts were read, for errors (not part of the value)
 */
public record ChatRequest(Optional<String> model, List<ContentBlock.Text> system, List<Turn> turns,
                          List<ToolDefinition> tools, Optional<ToolChoice> toolChoice,
                          Optional<Boolean> parallelToolCalls, GenerationSettings generation,
                          Optional<Reasoning> reasoning, Optional<String> user, Map<String, String> metadata,
                          boolean stream, boolean includeUsage, Extensions extensions, SourcePaths sources) {
    public ChatRequest {
        Objects.requireNonNull(model, "model");
        system = List.copyOf(system);
        turns = List.copyOf(turns);
        tools = List.copyOf(tools);
        Objects.requireNonNull(toolChoice, "toolChoice");
        Objects.requireNonNull(parallelToolCalls, "parallelToolCalls");
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(user, "user");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(extensions, "extensions");
        Objects.requireNonNull(sources, "sources");
    }

    /** A request not read from a client's body: no source paths. */
    public ChatRequest(Optional<String> model, List<ContentBlock.Text> system, List<Turn> turns,
                       List<ToolDefinition> tools, Optional<ToolChoice> toolChoice, Optional<Boolean> parallelToolCalls,
                       GenerationSettings generation, Optional<Reasoning> reasoning, Optional<String> user,
                       Map<String, String> metadata, boolean stream, boolean includeUsage, Extensions extensions) {
        this(model, system, turns, tools, toolChoice, parallelToolCalls, generation, reasoning, user, metadata, stream,
                includeUsage, extensions, SourcePaths.none());
    }

    /** This request with other turns, keeping everything else, source paths included. */
    public ChatRequest withTurns(List<Turn> newTurns) {
        return new ChatRequest(model, system, newTurns, tools, toolChoice, parallelToolCalls, generation, reasoning,
                user, metadata, stream, includeUsage, extensions, sources);
    }

    public ChatRequest withStream(boolean newStream) {
        return new ChatRequest(model, system, turns, tools, toolChoice, parallelToolCalls, generation, reasoning,
                user, metadata, newStream, includeUsage, extensions, sources);
    }

    public ChatRequest withExtensions(Extensions newExtensions) {
        return new ChatRequest(model, system, turns, tools, toolChoice, parallelToolCalls, generation, reasoning,
                user, metadata, stream, includeUsage, newExtensions, sources);
    }

    public ChatRequest withSources(SourcePaths newSources) {
        return new ChatRequest(model, system, turns, tools, toolChoice, parallelToolCalls, generation, reasoning,
                user, metadata, stream, includeUsage, extensions, newSources);
    }

    /**
     * This request with every {@link Role#SYSTEM} turn moved, in order, to the end of the system prompt, for
     * dialects whose conversation has no place for instructions (Gemini; Anthropic, whose mid-conversation
     * system message is a beta only some models accept). The instructions keep their authority and their
     * order; they lose their position. Source paths follow the blocks.
     */
    public ChatRequest withSystemTurnsInSystem() {
        if (turns.stream().noneMatch(t -> t.role() == Role.SYSTEM)) {
            return this;
        }
        List<ContentBlock.Text> newSystem = new ArrayList<>(system);
        List<Turn> rest = new ArrayList<>();
        for (Turn t : turns) {
            if (t.role() != Role.SYSTEM) {
                rest.add(t);
                continue;
            }
            for (ContentBlock b : t.content()) {
                if (b instanceof ContentBlock.Text text) {
                    newSystem.add(text);
                }
            }
        }
        return new ChatRequest(model, newSystem, rest, tools, toolChoice, parallelToolCalls, generation, reasoning,
                user, metadata, stream, includeUsage, extensions, sources);
    }

    /** The system prompt as one string, blocks joined by a blank line. */
    public String systemText() {
        List<String> parts = new ArrayList<>();
        for (ContentBlock.Text t : system) {
            parts.add(t.text());
        }
        return String.join("\n\n", parts);
    }

    /**
     * The turns with consecutive same-role turns merged into one, for dialects that require strict
     * user/assistant alternation (Anthropic, Gemini).
     */
    public List<Turn> mergedTurns() {
        List<Turn> out = new ArrayList<>();
        for (Turn t : turns) {
            int last = out.size() - 1;
            if (last >= 0 && out.get(last).role() == t.role()) {
                List<ContentBlock> blocks = new ArrayList<>(out.get(last).content());
                blocks.addAll(t.content());
                out.set(last, new Turn(t.role(), blocks));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    /** The tool call with this id anywhere in the conversation, for dialects whose results need the name. */
    public Optional<ContentBlock.ToolCall> findToolCall(String id) {
        for (Turn t : turns) {
            for (ContentBlock b : t.content()) {
                if (b instanceof ContentBlock.ToolCall c && c.id().equals(id)) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    public boolean hasToolHistory() {
        return turns.stream().flatMap(t -> t.content().stream())
                .anyMatch(b -> b instanceof ContentBlock.ToolCall || b instanceof ContentBlock.ToolResult);
    }

    public ChatRequest withGeneration(GenerationSettings newGeneration) {
        return new ChatRequest(model, system, turns, tools, toolChoice, parallelToolCalls, newGeneration, reasoning,
                user, metadata, stream, includeUsage, extensions, sources);
    }
}
