package dev.rosetta.cache;

import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the complete answer a neutral stream carried, event by event, as the stream passes: the
 * inverse of {@link Replay}. The answer exists only if the stream ended normally ({@code MessageStop}
 * after {@code Finish}); an {@code Error}, or no end at all, leaves none. One stream per instance, on
 * its event loop.
 */
final class Assembler {

    private enum State { OPEN, DONE, FAILED }

    private final List<ContentBlock> blocks = new ArrayList<>();
    private State state = State.OPEN;
    private StringBuilder text;
    private StringBuilder signature;
    private ContentBlock current;
    private String id = "";
    private String model = "";
    private long created;
    private Usage usage = Usage.ZERO;
    private StopReason stop;
    private Optional<String> stopSequence = Optional.empty();
    private long chars;
    private final long maxChars;

    /** @param maxChars beyond this many characters of content the stream is not kept (too large to store) */
    Assembler(long maxChars) {
        this.maxChars = maxChars;
    }

    void onEvent(StreamEvent e) {
        if (state != State.OPEN) {
            return;
        }
        switch (e) {
            case StreamEvent.MessageStart m -> {
                id = m.id();
                model = m.model();
                created = m.created();
                usage = m.usage();
            }
            case StreamEvent.BlockStart s -> {
                close();
                current = s.initial();
                text = new StringBuilder(switch (current) {
                    case ContentBlock.Text t -> t.text();
                    case ContentBlock.Refusal t -> t.text();
                    case ContentBlock.Thinking t -> t.text();
                    case ContentBlock.ToolCall c -> c.arguments();
                    default -> "";
                });
                signature = new StringBuilder(current instanceof ContentBlock.Thinking t ? t.signature().orElse("") : "");
            }
            case StreamEvent.TextDelta d -> append(d.text());
            case StreamEvent.ThinkingDelta d -> append(d.text());
            case StreamEvent.ToolArgumentsDelta d -> append(d.fragment());
            case StreamEvent.SignatureDelta d -> {
                if (signature != null) {
                    signature.append(d.signature());
                }
            }
            case StreamEvent.BlockStop s -> close();
            case StreamEvent.UsageUpdate u -> usage = u.usage();
            case StreamEvent.Finish f -> {
                close();
                stop = f.stopReason();
                stopSequence = f.stopSequence();
            }
            case StreamEvent.MessageStop m -> {
                close();
                state = stop == null ? State.FAILED : State.DONE;
            }
            case StreamEvent.Error err -> state = State.FAILED;
        }
    }

    private void append(String s) {
        chars += s.length();
        if (chars > maxChars) {
            state = State.FAILED;
            return;
        }
        if (text != null) {
            text.append(s);
        }
    }

    private void close() {
        if (current == null) {
            return;
        }
        String t = text.toString();
        blocks.add(switch (current) {
            case ContentBlock.Text x -> ContentBlock.Text.of(t);
            case ContentBlock.Refusal x -> new ContentBlock.Refusal(t);
            case ContentBlock.Thinking x -> new ContentBlock.Thinking(t,
                    signature.isEmpty() ? Optional.empty() : Optional.of(signature.toString()));
            case ContentBlock.ToolCall c -> new ContentBlock.ToolCall(c.id(), c.name(), t, c.thoughtSignature(),
                    Optional.empty());
            default -> current;
        });
        current = null;
        text = null;
        signature = null;
    }

    /** The answer, if the stream ended normally. */
    Optional<ChatResponse> answer() {
        if (state != State.DONE) {
            return Optional.empty();
        }
        return Optional.of(new ChatResponse(id, model, created, blocks, stop, stopSequence, usage));
    }
}
