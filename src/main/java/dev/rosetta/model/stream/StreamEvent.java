package dev.rosetta.model.stream;

import dev.rosetta.error.GatewayError;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.StopReason;
import dev.rosetta.model.Usage;
import java.util.Objects;
import java.util.Optional;

/**
 * One event of a streamed answer in no dialect in particular. A well-formed stream is
 * {@code MessageStart, (BlockStart, delta*, BlockStop)*, UsageUpdate*, Finish, MessageStop}; a stream that
 * fails ends with {@link Error} instead of {@link MessageStop}. Block indexes count blocks of the
 * neutral answer from 0, whatever the upstream numbering.
 */
public sealed interface StreamEvent {

    /**
     * The answer begins. {@code usage} is what the upstream reported with its first event: the exact
     * prompt count where its dialect has one there (Anthropic {@code message_start}, Gemini's
     * {@code usageMetadata}), {@link Usage#ZERO} where it has none yet (Chat Completions, Responses).
     */
    record MessageStart(String id, String model, long created, Usage usage) implements StreamEvent {
        public MessageStart {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(usage, "usage");
        }
    }

    /**
     * A block opens. {@code initial} is its skeleton: empty text/thinking, a tool call with its id and
     * name and empty arguments, or a complete redacted-thinking block.
     */
    record BlockStart(int index, ContentBlock initial) implements StreamEvent {
        public BlockStart {
            Objects.requireNonNull(initial, "initial");
        }

        public BlockKind kind() {
            return BlockKind.of(initial);
        }
    }

    record TextDelta(int index, String text) implements StreamEvent {
        public TextDelta {
            Objects.requireNonNull(text, "text");
        }
    }

    /** A fragment of a tool call's arguments JSON text; fragments are not valid JSON on their own. */
    record ToolArgumentsDelta(int index, String fragment) implements StreamEvent {
        public ToolArgumentsDelta {
            Objects.requireNonNull(fragment, "fragment");
        }
    }

    record ThinkingDelta(int index, String text) implements StreamEvent {
        public ThinkingDelta {
            Objects.requireNonNull(text, "text");
        }
    }

    record SignatureDelta(int index, String signature) implements StreamEvent {
        public SignatureDelta {
            Objects.requireNonNull(signature, "signature");
        }
    }

    record BlockStop(int index) implements StreamEvent {
    }

    /** Usage so far; a later update replaces an earlier one (never summed). */
    record UsageUpdate(Usage usage) implements StreamEvent {
        public UsageUpdate {
            Objects.requireNonNull(usage, "usage");
        }
    }

    record Finish(StopReason stopReason, Optional<String> stopSequence) implements StreamEvent {
        public Finish {
            Objects.requireNonNull(stopReason, "stopReason");
            Objects.requireNonNull(stopSequence, "stopSequence");
        }
    }

    /** The stream failed; terminal. */
    record Error(GatewayError error) implements StreamEvent {
        public Error {
            Objects.requireNonNull(error, "error");
        }
    }

    /** The stream ended normally; terminal. */
    record MessageStop() implements StreamEvent {
    }
}
