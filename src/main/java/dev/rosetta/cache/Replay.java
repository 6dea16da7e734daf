package dev.rosetta.cache;

import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Usage;
import dev.rosetta.model.stream.StreamEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A complete answer as the well-formed neutral stream a live upstream would have produced:
 * {@code MessageStart} (with the prompt count, as Anthropic and Gemini report it first), each block as
 * its skeleton, its content in one delta and its stop, the final usage, {@code Finish},
 * {@code MessageStop}. The client dialect's stream encoder turns it into that dialect's events.
 */
final class Replay {

    private Replay() {
    }

    static List<StreamEvent> events(ChatResponse r) {
        List<StreamEvent> out = new ArrayList<>(4 + 3 * r.content().size());
        Usage u = r.usage();
        out.add(new StreamEvent.MessageStart(r.id(), r.model(), r.created(),
                new Usage(u.inputUncached(), u.cacheRead(), u.cacheWrite(), 0, 0)));
        int i = 0;
        for (ContentBlock b : r.content()) {
            switch (b) {
                case ContentBlock.Text t -> {
                    out.add(new StreamEvent.BlockStart(i, ContentBlock.Text.of("")));
                    if (!t.text().isEmpty()) {
                        out.add(new StreamEvent.TextDelta(i, t.text()));
                    }
                }
                case ContentBlock.Refusal t -> {
                    out.add(new StreamEvent.BlockStart(i, new ContentBlock.Refusal("")));
                    if (!t.text().isEmpty()) {
                        out.add(new StreamEvent.TextDelta(i, t.text()));
                    }
                }
                case ContentBlock.Thinking t -> {
                    out.add(new StreamEvent.BlockStart(i, new ContentBlock.Thinking("", Optional.empty())));
                    if (!t.text().isEmpty()) {
                        out.add(new StreamEvent.ThinkingDelta(i, t.text()));
                    }
                    if (t.signature().isPresent()) {
                        out.add(new StreamEvent.SignatureDelta(i, t.signature().get()));
                    }
                }
                case ContentBlock.ToolCall c -> {
                    out.add(new StreamEvent.BlockStart(i, new ContentBlock.ToolCall(c.id(), c.name(), "",
                            c.thoughtSignature(), Optional.empty())));
                    if (!c.arguments().isEmpty()) {
                        out.add(new StreamEvent.ToolArgumentsDelta(i, c.arguments()));
                    }
                }
                default -> out.add(new StreamEvent.BlockStart(i, b)); // complete in its start event
            }
            out.add(new StreamEvent.BlockStop(i));
            i++;
        }
        out.add(new StreamEvent.UsageUpdate(u));
        out.add(new StreamEvent.Finish(r.stopReason(), r.stopSequence()));
        out.add(new StreamEvent.MessageStop());
        return out;
    }
}
