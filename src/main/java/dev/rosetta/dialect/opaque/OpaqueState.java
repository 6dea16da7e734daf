package dev.rosetta.dialect.opaque;

import dev.rosetta.dialect.Dialect;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Turn;
import dev.rosetta.model.stream.StreamEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Carries a provider's opaque state through a client dialect that has no field for it, without a
 * session store: the state rides, sealed, in the field each dialect's clients really send back.
 *
 * <p>Two pure passes on the neutral model, applied by a cross-dialect call around the codecs:
 * {@link #seal} on the provider's answer before it is encoded for the client ({@link #forStream} for a
 * streamed one), and {@link #unseal} on the client's next request before it is encoded for the
 * provider. What travels: Gemini's {@code thoughtSignature} on a function call (for every client but
 * Gemini), Anthropic's signed {@code thinking} and {@code redacted_thinking} blocks (for every client
 * but Anthropic), and OpenAI Responses reasoning items with their encrypted content (for every client
 * but Responses; their summary is still shown as the thinking blocks before them).
 *
 * <p>Where it rides, per client dialect ({@link Carrier}): a Chat client echoes nothing but the
 * tool-call id, so the state rides there ({@value #ID_PREFIX}…, blocks before a call in that call's id,
 * blocks after the last call in the last call's id, nothing for an answer without a call). Gemini
 * clients echo {@code thoughtSignature} and not call ids: a call's state rides in its part's signature,
 * state of an answer without a call in the signature of its text part. Anthropic clients echo signed
 * thinking blocks: the state rides in the {@code signature} of a thinking block of its own (empty text)
 * before the call or text it belongs to. Responses clients echo reasoning items with their
 * {@code encrypted_content}: likewise, in a reasoning item of its own. These values are standard base64
 * starting with {@value #CARRIER_PREFIX}; what they hold is {@link Carried}, or a bundle of them.
 * Sealed ids are still read from every dialect, so conversations begun before keep working.
 *
 * <p>A value that does not open under this key (another gateway's, altered, forged, or a client's own
 * id that happens to share the prefix) is never trusted: an id stays an ordinary id, a genuine provider
 * signature stays what it was, and a carrier-shaped value that does not open is removed. When the state
 * is lost (a client dropped it), the provider's encoder sends the request in the form the provider takes
 * without it and names the drop.
 *
 * <p>Thread-safe; no I/O, clock or randomness.
 */
public final class OpaqueState {
    static final String ID_PREFIX = "call_rx";
    /** Base64 of the three magic bytes every carrier value starts with, so it starts with these letters. */
    static final String CARRIER_PREFIX = "RXs1";
    private static final byte[] MAGIC = Base64.getDecoder().decode(CARRIER_PREFIX);
    /** The id of a reasoning item that carries state to a Responses client. */
    static final String REASONING_ID_PREFIX = "rs_rx";

    /** The field a client dialect's clients echo, in which sealed state rides. */
    private enum Carrier {
        /** The tool-call id (OpenAI Chat). */
        CALL_ID,
        /** A part's {@code thoughtSignature} (Gemini). */
        PART_SIGNATURE,
        /** The {@code signature} of a thinking block (Anthropic). */
        THINKING_BLOCK,
        /** A reasoning item's {@code encrypted_content} (Responses). */
        REASONING_ITEM;

        static Carrier of(Dialect client) {
            return switch (client) {
                case OPENAI_CHAT -> CALL_ID;
                case GEMINI -> PART_SIGNATURE;
                case ANTHROPIC -> THINKING_BLOCK;
                case OPENAI_RESPONSES -> REASONING_ITEM;
            };
        }
    }

    private final StateSealer sealer;

    public OpaqueState(StateSealer sealer) {
        this.sealer = sealer;
    }

    /**
     * Whether {@code value} (a signature, an encrypted content) has the shape of a value Rosetta sealed;
     * only opening it tells whether it is one. Pure, so that codecs may ask.
     */
    public static boolean isCarrier(String value) {
        return value.startsWith(CARRIER_PREFIX);
    }

    /** The answer as a client of {@code client} should see it, state it cannot express sealed where it echoes. */
    public ChatResponse seal(ChatResponse answer, Dialect client) {
        Carrier carrier = Carrier.of(client);
        if (carrier == Carrier.CALL_ID) {
            return sealIntoIds(answer, client);
        }
        List<ContentBlock> out = new ArrayList<>(answer.content().size() + 1);
        List<ContentBlock> pending = new ArrayList<>();
        boolean called = false;
        boolean changed = false;
        for (ContentBlock b : answer.content()) {
            if (mustCarry(b, client)) {
                pending.add(b);
                if (b instanceof ContentBlock.Thinking t) {
                    // Still shown where the client can show reasoning; the signed copy rides sealed.
                    out.add(new ContentBlock.Thinking(t.text(), Optional.empty()));
                }
                changed = true;
                continue;
            }
            if (b instanceof ContentBlock.ToolCall c) {
                called = true;
                Carried k = new Carried(c.id(), c.thoughtSignature(), pending, List.of());
                pending.clear();
                if (k.isEmpty() || carrier == Carrier.PART_SIGNATURE && k.before().isEmpty()) {
                    out.add(carrier == Carrier.PART_SIGNATURE ? c : withSignature(c, Optional.empty()));
                } else if (carrier == Carrier.PART_SIGNATURE) {
                    out.add(withSignature(c, Optional.of(carrierValue(k.toBytes()).value())));
                    changed = true;
                } else {
                    out.add(carrierBlock(carrier, List.of(k)));
                    out.add(withSignature(c, Optional.empty()));
                    changed = true;
                }
                continue;
            }
            // Gemini clients that keep only the signatures of calls would lose state riding on text: with a
            // call to come, it rides there.
            if (!pending.isEmpty() && (b instanceof ContentBlock.Text || b instanceof ContentBlock.Refusal)
                    && !(carrier == Carrier.PART_SIGNATURE && answer.hasToolCalls())) {
                out.add(carrierBlock(carrier, List.of(new Carried("", Optional.empty(), pending, List.of()))));
                pending.clear();
            }
            out.add(b);
        }
        if (!pending.isEmpty()) {
            out.add(carrierBlock(carrier, List.of(new Carried("", Optional.empty(), called ? List.of() : pending,
                    called ? pending : List.of()))));
        }
        if (!changed) {
            return answer;
        }
        return new ChatResponse(answer.id(), answer.model(), answer.created(), out, answer.stopReason(),
                answer.stopSequence(), answer.usage());
    }

    private ChatResponse sealIntoIds(ChatResponse answer, Dialect client) {
        if (!answer.hasToolCalls()) {
            // Nothing to carry state in: the client's codec leaves out (and reports) what it cannot express.
            return answer;
        }
        List<ContentBlock> out = new ArrayList<>(answer.content().size());
        List<ContentBlock> pending = new ArrayList<>();
        int lastCall = -1;
        Carried lastCarried = null;
        for (ContentBlock b : answer.content()) {
            if (mustCarry(b, client)) {
                pending.add(b);
                if (b instanceof ContentBlock.Thinking t) {
                    out.add(new ContentBlock.Thinking(t.text(), Optional.empty()));
                }
                continue;
            }
            if (b instanceof ContentBlock.ToolCall c) {
                Carried carried = new Carried(c.id(), c.thoughtSignature(), pending, List.of());
                pending.clear();
                lastCall = out.size();
                lastCarried = carried;
                out.add(withId(c, carried));
                continue;
            }
            out.add(b);
        }
        if (!pending.isEmpty()) {
            Carried carried = new Carried(lastCarried.id(), lastCarried.thoughtSignature(), lastCarried.before(),
                    pending);
            ContentBlock.ToolCall c = (ContentBlock.ToolCall) out.get(lastCall);
            out.set(lastCall, withId(c, carried));
        }
        return new ChatResponse(answer.id(), answer.model(), answer.created(), out, answer.stopReason(),
                answer.stopSequence(), answer.usage());
    }

    private ContentBlock.ToolCall withId(ContentBlock.ToolCall c, Carried carried) {
        String id = carried.isEmpty() ? carried.id() : ID_PREFIX + sealer.seal(carried.toBytes());
        return new ContentBlock.ToolCall(id, c.name(), c.arguments(), Optional.empty(), c.cacheControl());
    }

    private static ContentBlock.ToolCall withSignature(ContentBlock.ToolCall c, Optional<String> signature) {
        return new ContentBlock.ToolCall(c.id(), c.name(), c.arguments(), signature, c.cacheControl());
    }

    /** A sealed value with the MAC that names it. */
    private record Sealed(String value, byte[] mac) {
    }

    private Sealed carrierValue(byte[] payload) {
        byte[] token = sealer.sealBytes(payload);
        byte[] out = new byte[MAGIC.length + token.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        System.arraycopy(token, 0, out, MAGIC.length, token.length);
        return new Sealed(Base64.getEncoder().encodeToString(out),
                Arrays.copyOfRange(token, token.length - StateSealer.MAC_BYTES, token.length));
    }

    /** The block of the client's dialect whose echoed field holds {@code entries}. */
    private ContentBlock carrierBlock(Carrier carrier, List<Carried> entries) {
        Sealed sealed = carrierValue(Carried.bundleBytes(entries));
        return switch (carrier) {
            // Gemini's encoders put this signature on the next text part, or on a part of its own.
            case THINKING_BLOCK, PART_SIGNATURE -> new ContentBlock.Thinking("", Optional.of(sealed.value()));
            case REASONING_ITEM -> new ContentBlock.EncryptedReasoning(
                    REASONING_ID_PREFIX + HexFormat.of().formatHex(sealed.mac(), 0, 12), sealed.value(), List.of());
            case CALL_ID -> throw new IllegalStateException("call ids carry no block");
        };
    }

    private Optional<List<Carried>> openCarrier(String value) {
        if (!isCarrier(value)) {
            return Optional.empty();
        }
        byte[] raw;
        try {
            // Sent as standard base64; Google's Python SDK holds the signature as bytes and sends it back
            // URL-safe, so both alphabets are read, with or without padding.
            raw = Base64.getDecoder().decode(value.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return sealer.openBytes(Arrays.copyOfRange(raw, MAGIC.length, raw.length)).flatMap(Carried::entriesFromBytes);
    }

    /** The sealed value a block of a client's history holds, if it has the shape of one. */
    private static Optional<String> carrierIn(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Thinking t -> t.signature().filter(OpaqueState::isCarrier);
            case ContentBlock.EncryptedReasoning r -> Optional.of(r.encryptedContent()).filter(OpaqueState::isCarrier);
            default -> Optional.empty();
        };
    }

    /**
     * The request with every sealed value that opens replaced by what it carried, put back in place:
     * the blocks before a call right after the previous call of its turn (or at the turn's start), the
     * signature on the call, the original id on the call and its result; a carrier of no call's state at
     * the turn's start or end. Carrier blocks are removed, whether they open or not.
     */
    public ChatRequest unseal(ChatRequest request) {
        Map<String, Optional<Carried>> opened = new HashMap<>();
        Map<String, String> renamed = new HashMap<>();
        List<Turn> turns = new ArrayList<>(request.turns().size());
        boolean changed = false;
        for (Turn turn : request.turns()) {
            List<Carried> bundled = new ArrayList<>();
            List<ContentBlock> content = new ArrayList<>(turn.content().size());
            boolean turnChanged = false;
            for (ContentBlock b : turn.content()) {
                Optional<String> value = carrierIn(b);
                if (value.isPresent()) {
                    openCarrier(value.get()).ifPresent(bundled::addAll);
                    turnChanged = true;
                } else {
                    content.add(b);
                }
            }
            Map<String, Carried> byCall = new HashMap<>();
            bundled.stream().filter(k -> !k.id().isEmpty()).forEach(k -> byCall.put(k.id(), k));
            List<ContentBlock> out = new ArrayList<>(content.size());
            int insertAt = 0;
            for (ContentBlock b : content) {
                if (b instanceof ContentBlock.ToolCall c) {
                    Optional<String> own = c.thoughtSignature().filter(s -> !isCarrier(s));
                    Optional<Carried> carried = opened.computeIfAbsent(c.id(), this::openId)
                            .or(() -> c.thoughtSignature().flatMap(this::openCarrier)
                                    .filter(l -> l.size() == 1).map(l -> l.get(0)))
                            .or(() -> Optional.ofNullable(byCall.remove(c.id())));
                    if (carried.isPresent()) {
                        Carried k = carried.get();
                        out.addAll(insertAt, absent(k.before(), out));
                        out.add(new ContentBlock.ToolCall(k.id(), c.name(), c.arguments(),
                                own.or(k::thoughtSignature), c.cacheControl()));
                        out.addAll(absent(k.after(), out));
                        if (!k.id().equals(c.id())) {
                            renamed.put(c.id(), k.id());
                        }
                        turnChanged = true;
                    } else if (own.isPresent() != c.thoughtSignature().isPresent()) {
                        out.add(withSignature(c, Optional.empty()));
                        turnChanged = true;
                    } else {
                        out.add(c);
                    }
                    insertAt = out.size();
                } else if (b instanceof ContentBlock.ToolResult r && resultId(r.toolCallId(), renamed, opened)
                        .isPresent()) {
                    out.add(new ContentBlock.ToolResult(resultId(r.toolCallId(), renamed, opened).get(), r.content(),
                            r.isError(), r.cacheControl()));
                    turnChanged = true;
                } else {
                    out.add(b);
                }
            }
            // State of no call, or of a call the client no longer names: the turn's start or end.
            List<Carried> rest = new ArrayList<>(bundled.stream().filter(k -> k.id().isEmpty()).toList());
            rest.addAll(byCall.values());
            for (Carried k : rest) {
                out.addAll(0, absent(k.before(), out));
                out.addAll(absent(k.after(), out));
            }
            turns.add(turnChanged ? new Turn(turn.role(), out) : turn);
            changed |= turnChanged;
        }
        if (!changed) {
            return request;
        }
        return request.withTurns(turns);
    }

    /** The blocks not in {@code turn} yet: state that rode on a text part and on a call comes back once. */
    private static List<ContentBlock> absent(List<ContentBlock> blocks, List<ContentBlock> turn) {
        return blocks.stream().filter(b -> !turn.contains(b)).toList();
    }

    private Optional<String> resultId(String id, Map<String, String> renamed, Map<String, Optional<Carried>> opened) {
        return Optional.ofNullable(renamed.get(id)).or(() -> opened.computeIfAbsent(id, this::openId).map(Carried::id));
    }

    private Optional<Carried> openId(String id) {
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
     * encoder: every event passes through, and a tool call's opening event gets the sealed id or
     * signature, or a carrier block opens and closes before it (before a text block, or before the end,
     * for state of no call). Signed thinking and redacted thinking are collected as they stream by;
     * since a call goes out when it opens, only state that came before it can ride with it (Anthropic
     * sends thinking first); in call ids state after the last call is dropped, in other carriers it rides
     * in a carrier block at the end. Block indexes are renumbered around inserted blocks. One per stream,
     * not thread-safe.
     */
    public final class Stream {
        private final Dialect client;
        private final Carrier carrier;
        private final Map<Integer, OpenThinking> thinking = new HashMap<>();
        private final List<ContentBlock> pending = new ArrayList<>();
        /** Upstream block index → the client's, once blocks have been inserted. */
        private final Map<Integer, Integer> renumbered = new HashMap<>();
        private int inserted;
        /** How many of the pending blocks rode on a Gemini text part already. */
        private int onText;
        /** The index the next block the client sees would have. */
        private int nextIndex;
        private boolean called;

        private Stream(Dialect client) {
            this.client = client;
            this.carrier = Carrier.of(client);
        }

        public List<StreamEvent> onEvent(StreamEvent event) {
            switch (event) {
                case StreamEvent.BlockStart s when s.initial() instanceof ContentBlock.ToolCall c -> {
                    called = true;
                    Carried k = new Carried(c.id(), c.thoughtSignature(), pending, List.of());
                    pending.clear();
                    onText = 0;
                    return switch (carrier) {
                        case CALL_ID -> List.of(start(s, withId(c, k)));
                        case PART_SIGNATURE -> List.of(start(s, k.before().isEmpty() ? c
                                : withSignature(c, Optional.of(carrierValue(k.toBytes()).value()))));
                        case THINKING_BLOCK, REASONING_ITEM -> k.isEmpty()
                                ? List.of(start(s, withSignature(c, Optional.empty())))
                                : insertBefore(carrierBlock(carrier, List.of(k)), s,
                                        withSignature(c, Optional.empty()));
                    };
                }
                case StreamEvent.BlockStart s when carrier != Carrier.CALL_ID && pending.size() > onText
                        && (s.initial() instanceof ContentBlock.Text || s.initial() instanceof ContentBlock.Refusal) -> {
                    ContentBlock block = carrierBlock(carrier,
                            List.of(new Carried("", Optional.empty(), pending, List.of())));
                    if (carrier == Carrier.PART_SIGNATURE) {
                        // Whether a call follows is not known yet: the state rides on this text and, should
                        // a call come, on the call too (Gemini clients may keep only the calls' signatures).
                        onText = pending.size();
                    } else {
                        pending.clear();
                    }
                    return insertBefore(block, s, s.initial());
                }
                case StreamEvent.Finish f when carrier != Carrier.CALL_ID && pending.size() > onText -> {
                    ContentBlock block = carrierBlock(carrier, List.of(new Carried("", Optional.empty(),
                            called ? List.of() : pending, called ? pending : List.of())));
                    pending.clear();
                    return insertBefore(block, f);
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
            return List.of(renumber(event));
        }

        private StreamEvent start(StreamEvent.BlockStart s, ContentBlock initial) {
            if (inserted > 0) {
                renumbered.put(s.index(), s.index() + inserted);
            }
            nextIndex = Math.max(nextIndex, s.index() + inserted + 1);
            return initial == s.initial() && inserted == 0 ? s : new StreamEvent.BlockStart(s.index() + inserted, initial);
        }

        /** The carrier block, then the upstream block {@code s} opening with {@code initial}, one index later. */
        private List<StreamEvent> insertBefore(ContentBlock block, StreamEvent.BlockStart s, ContentBlock initial) {
            int index = s.index() + inserted;
            inserted++;
            return List.of(new StreamEvent.BlockStart(index, block), new StreamEvent.BlockStop(index),
                    start(s, initial));
        }

        private List<StreamEvent> insertBefore(ContentBlock block, StreamEvent.Finish f) {
            int index = nextIndex++;
            inserted++;
            return List.of(new StreamEvent.BlockStart(index, block), new StreamEvent.BlockStop(index), f);
        }

        private StreamEvent renumber(StreamEvent event) {
            if (event instanceof StreamEvent.BlockStart s) {
                return start(s, s.initial());
            }
            if (inserted == 0) {
                return event;
            }
            return switch (event) {
                case StreamEvent.TextDelta d -> new StreamEvent.TextDelta(index(d.index()), d.text());
                case StreamEvent.ToolArgumentsDelta d -> new StreamEvent.ToolArgumentsDelta(index(d.index()), d.fragment());
                case StreamEvent.ThinkingDelta d -> new StreamEvent.ThinkingDelta(index(d.index()), d.text());
                case StreamEvent.SignatureDelta d -> new StreamEvent.SignatureDelta(index(d.index()), d.signature());
                case StreamEvent.BlockStop s -> new StreamEvent.BlockStop(index(s.index()));
                default -> event;
            };
        }

        private int index(int upstream) {
            return renumbered.getOrDefault(upstream, upstream);
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
}
