package dev.rosetta.dialect.opaque;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Turn;
import dev.rosetta.model.stream.StreamEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries a provider's opaque state through a client dialect that has no field for it, without a
 * session store: the state rides, sealed, in the tool-call ids the client must echo back.
 *
 * <p>Two pure passes on the neutral model, applied by a cross-dialect call around the codecs:
 * {@link #seal} on the provider's answer before it is encoded for the client ({@link #forStream} for a
 * streamed one), and {@link #unseal} on the client's next request before it is encoded for the
 * provider. What travels: Gemini's {@code thoughtSignature} on a function call (for every client but
 * Gemini), Anthropic's signed {@code thinking} and {@code redacted_thinking} blocks (for every client
 * but Anthropic), and OpenAI Responses reasoning items with their encrypted content (for every client
 * but Responses; their summary is still shown as the thinking blocks before them). Blocks
 * that stood before a call ride in that call's id, blocks after the turn's last call in the last
 * call's id. An answer with such state but no tool call has nowhere to put it and it is dropped;
 * providers accept that: Anthropic needs the thinking of the assistant turn that made the tool calls
 * being answered, and ignores thinking of earlier completed turns; Gemini needs signatures on calls;
 * the Responses API needs the reasoning items that preceded the function calls being answered.
 *
 * <p>A sealed id is {@value #ID_PREFIX} followed by a {@link StateSealer} token, so it matches
 * {@code ^[a-zA-Z0-9_-]+$}. An id that does not open under this key (another gateway's, altered,
 * forged, or simply a client's own id that happens to share the prefix) is left as it is.
 *
 * <p>Thread-safe; no I/O, clock or randomness.
 */
public final class OpaqueState {
    static final String ID_PREFIX = "call_rx";

    private final StateSealer sealer;

    public OpaqueState(StateSealer sealer) {
        this.sealer = sealer;
    }

    /** The answer as a client of {@code client} should see it, state it cannot express sealed into call ids. */
    public ChatResponse seal(ChatResponse answer, Dialect client) {
        if (!answer.hasToolCalls()) {
            // Nothing to carry state in: the client's codec leaves out (and reports) what it cannot express.
            return answer;
        }
        boolean keepSignature = carriesThoughtSignature(client);
        List<ContentBlock> out = new ArrayList<>(answer.content().size());
        List<ContentBlock> pending = new ArrayList<>();
        int lastCall = -1;
        Carried lastCarried = null;
        for (ContentBlock b : answer.content()) {
            if (mustCarry(b, client)) {
                pending.add(b);
                if (b instanceof ContentBlock.Thinking t) {
                    // Still shown where the client can show reasoning; the signed copy rides in the id.
                    out.add(new ContentBlock.Thinking(t.text(), Optional.empty()));
                }
                continue;
            }
            if (b instanceof ContentBlock.ToolCall c) {
                Carried carried = new Carried(c.id(), keepSignature ? Optional.empty() : c.thoughtSignature(),
                        pending, List.of());
                pending.clear();
                lastCall = out.size();
                lastCarried = carried;
                out.add(withId(c, carried, keepSignature));
                continue;
            }
            out.add(b);
        }
        if (!pending.isEmpty()) {
            Carried carried = new Carried(lastCarried.id(), lastCarried.thoughtSignature(), lastCarried.before(),
                    pending);
            ContentBlock.ToolCall c = (ContentBlock.ToolCall) out.get(lastCall);
            out.set(lastCall, withId(c, carried, keepSignature));
        }
        return new ChatResponse(answer.id(), answer.model(), answer.created(), out, answer.stopReason(),
                answer.stopSequence(), answer.usage());
    }

    private ContentBlock.ToolCall withId(ContentBlock.ToolCall c, Carried carried, boolean keepSignature) {
        String id = carried.isEmpty() ? carried.id() : ID_PREFIX + sealer.seal(carried.toBytes());
        return new ContentBlock.ToolCall(id, c.name(), c.arguments(),
                keepSignature ? c.thoughtSignature() : Optional.empty(), c.cacheControl());
    }

    /**
     * The request with every sealed id that opens replaced by the original, and the state it carried
     * put back in place: the blocks before a call right after the previous call of its turn (or at
     * the turn's start), the signature on the call.
     */
    public ChatRequest unseal(ChatRequest request) {
        Map<String, Optional<Carried>> opened = new HashMap<>();
        List<Turn> turns = new ArrayList<>(request.turns().size());
        boolean changed = false;
        for (Turn turn : request.turns()) {
            List<ContentBlock> out = new ArrayList<>(turn.content().size());
            int insertAt = 0;
            boolean turnChanged = false;
            for (ContentBlock b : turn.content()) {
                if (b instanceof ContentBlock.ToolCall c) {
                    Optional<Carried> carried = opened.computeIfAbsent(c.id(), this::open);
                    if (carried.isPresent()) {
                        Carried k = carried.get();
                        out.addAll(insertAt, k.before());
                        out.add(new ContentBlock.ToolCall(k.id(), c.name(), c.arguments(),
                                c.thoughtSignature().or(k::thoughtSignature), c.cacheControl()));
                        out.addAll(k.after());
                        turnChanged = true;
                    } else {
                        out.add(c);
                    }
                    insertAt = out.size();
                } else if (b instanceof ContentBlock.ToolResult r
                        && opened.computeIfAbsent(r.toolCallId(), this::open).isPresent()) {
                    out.add(new ContentBlock.ToolResult(opened.get(r.toolCallId()).get().id(), r.content(),
                            r.isError(), r.cacheControl()));
                    turnChanged = true;
                } else {
                    out.add(b);
                }
            }
            turns.add(turnChanged ? new Turn(turn.role(), out) : turn);
            changed |= turnChanged;
        }
        if (!changed) {
            return request;
        }
        return request.withTurns(turns);
    }

    private Optional<Carried> open(String id) {
        if (!id.startsWith(ID_PREFIX)) {
            return Optional.empty();
        }
        return sealer.open(id.substring(ID_PREFIX.length())).flatMap(Carried::fromBytes);
    }

    /** The sealing step for one streamed answer to a client of {@code client}'s dialect. */
    public Stream forStream(Dialect client) {
        return new Stream(client);
    }

    /**
     * {@link #seal} for a streamed answer, between the provider's stream decoder and the client's
     * encoder: every event passes through, and a tool call's opening event gets the sealed id. Signed
     * thinking and redacted thinking are collected as they stream by; since a call's id goes out when
     * the call opens, only state that came before a call can ride in it (Anthropic sends thinking
     * first), and state after the last call is dropped. Signed thinking text is held until the next call
     * opens or the stream ends. One per stream, not thread-safe.
     */
    public final class Stream {
        private final Dialect client;
        private final boolean keepSignature;
        private final Map<Integer, OpenThinking> thinking = new HashMap<>();
        private final List<ContentBlock> pending = new ArrayList<>();

        private Stream(Dialect client) {
            this.client = client;
            this.keepSignature = carriesThoughtSignature(client);
        }

        public List<StreamEvent> onEvent(StreamEvent event) {
            switch (event) {
                case StreamEvent.BlockStart s when s.initial() instanceof ContentBlock.ToolCall c -> {
                    Carried carried = new Carried(c.id(), keepSignature ? Optional.empty() : c.thoughtSignature(),
                            pending, List.of());
                    pending.clear();
                    return List.of(new StreamEvent.BlockStart(s.index(), withId(c, carried, keepSignature)));
                }
                case StreamEvent.BlockStart s when !carriesThinking(client)
                        && s.initial() instanceof ContentBlock.Thinking t ->
                        thinking.put(s.index(), new OpenThinking(new StringBuilder(t.text()),
                                new StringBuilder(t.signature().orElse(""))));
                case StreamEvent.BlockStart s when s.initial() instanceof ContentBlock.RedactedThinking
                        || s.initial() instanceof ContentBlock.EncryptedReasoning -> {
                    if (mustCarry(s.initial(), client)) {
                        pending.add(s.initial());
                    }
                }
                case StreamEvent.ThinkingDelta d when thinking.containsKey(d.index()) ->
                        thinking.get(d.index()).text().append(d.text());
                case StreamEvent.SignatureDelta d when thinking.containsKey(d.index()) ->
                        thinking.get(d.index()).signature().append(d.signature());
                case StreamEvent.BlockStop s when thinking.containsKey(s.index()) -> {
                    OpenThinking t = thinking.remove(s.index());
                    if (!t.signature().isEmpty()) {
                        pending.add(new ContentBlock.Thinking(t.text().toString(),
                                Optional.of(t.signature().toString())));
                    }
                }
                default -> {
                }
            }
            return List.of(event);
        }

        private record OpenThinking(StringBuilder text, StringBuilder signature) {
        }

        /** {@link #onEvent} over a batch, as a decoder returns them. */
        public List<StreamEvent> onEvents(List<StreamEvent> events) {
            if (events.isEmpty()) {
                return events;
            }
            List<StreamEvent> out = new ArrayList<>(events.size());
            events.forEach(e -> out.addAll(onEvent(e)));
            return out;
        }
    }

    /** Whether {@code b} is state a client of {@code client}'s dialect has no field for and that can ride sealed. */
    private static boolean mustCarry(ContentBlock b, Dialect client) {
        if (!Carried.carriable(b)) {
            return false;
        }
        return b instanceof ContentBlock.EncryptedReasoning ? client != Dialect.OPENAI_RESPONSES
                : !carriesThinking(client);
    }

    /** Anthropic's thinking blocks, signature and all, have a place in the Anthropic dialect only. */
    private static boolean carriesThinking(Dialect client) {
        return switch (client) {
            case ANTHROPIC -> true;
            case OPENAI_CHAT, OPENAI_RESPONSES, GEMINI -> false;
        };
    }

    private static boolean carriesThoughtSignature(Dialect client) {
        return switch (client) {
            case GEMINI -> true;
            case OPENAI_CHAT, OPENAI_RESPONSES, ANTHROPIC -> false;
        };
    }
}
