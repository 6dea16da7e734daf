package dev.rosetta.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One typed piece of a turn. The set is the union of what the four dialects can say, so that a
 * conversion loses only what the target dialect cannot express.
 */
public sealed interface ContentBlock {

    /** The prompt-cache breakpoint on this block, if any. */
    default Optional<CacheControl> cacheControl() {
        return Optional.empty();
    }

    record Text(String text, Optional<CacheControl> cacheControl) implements ContentBlock {
        public Text {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(cacheControl, "cacheControl");
        }

        public static Text of(String text) {
            return new Text(text, Optional.empty());
        }
    }

    /** @param detail OpenAI's {@code detail} hint (auto, low, high) */
    record Image(MediaSource source, Optional<String> detail, Optional<CacheControl> cacheControl)
            implements ContentBlock {
        public Image {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(detail, "detail");
            Objects.requireNonNull(cacheControl, "cacheControl");
        }
    }

    /** A PDF or other file. */
    record Document(MediaSource source, Optional<String> title, Optional<CacheControl> cacheControl)
            implements ContentBlock {
        public Document {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(title, "title");
            Objects.requireNonNull(cacheControl, "cacheControl");
        }
    }

    /** Base64 audio; {@code format} is OpenAI's short name ({@code wav}, {@code mp3}). */
    record Audio(String data, String format) implements ContentBlock {
        public Audio {
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(format, "format");
        }
    }

    /**
     * A call the assistant makes.
     *
     * @param arguments the arguments as a JSON text, exactly as the model produced it (it may be
     *                  invalid JSON when output was cut short)
     * @param thoughtSignature Gemini's {@code thoughtSignature} on the call part; only valid for Gemini
     */
    record ToolCall(String id, String name, String arguments, Optional<String> thoughtSignature,
                    Optional<CacheControl> cacheControl) implements ContentBlock {
        public ToolCall {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
            Objects.requireNonNull(thoughtSignature, "thoughtSignature");
            Objects.requireNonNull(cacheControl, "cacheControl");
        }

        public static ToolCall of(String id, String name, String arguments) {
            return new ToolCall(id, name, arguments, Optional.empty(), Optional.empty());
        }
    }

    /** The result of a {@link ToolCall}, matched by {@code toolCallId}. */
    record ToolResult(String toolCallId, List<ContentBlock> content, boolean isError,
                      Optional<CacheControl> cacheControl) implements ContentBlock {
        public ToolResult {
            Objects.requireNonNull(toolCallId, "toolCallId");
            content = List.copyOf(content);
            Objects.requireNonNull(cacheControl, "cacheControl");
        }

        /** The text blocks of the result joined, which is all some dialects can carry. */
        public String text() {
            StringBuilder sb = new StringBuilder();
            for (ContentBlock b : content) {
                if (b instanceof Text t) {
                    if (!sb.isEmpty()) {
                        sb.append('\n');
                    }
                    sb.append(t.text());
                }
            }
            return sb.toString();
        }
    }

    /**
     * Reasoning text. {@code signature} is an Anthropic signature, the only kind that lets the block
     * be replayed; reasoning from other providers has none and is not sent back to Anthropic.
     */
    record Thinking(String text, Optional<String> signature) implements ContentBlock {
        public Thinking {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(signature, "signature");
        }
    }

    /** Anthropic's encrypted reasoning; opaque, replayed to Anthropic only. */
    record RedactedThinking(String data) implements ContentBlock {
        public RedactedThinking {
            Objects.requireNonNull(data, "data");
        }
    }

    /**
     * An OpenAI Responses {@code reasoning} item with its {@code encrypted_content}: the state a
     * stateless ({@code store: false}) Responses call needs back on the next turn, opaque, replayed to
     * the Responses API only. The summary is kept to replay the item exactly; it is shown to clients
     * through the {@link Thinking} blocks that precede this one (a decoder emits both), never from here.
     *
     * @param id the item id ({@code rs_…})
     * @param summary the {@code summary_text} parts, in order
     */
    record EncryptedReasoning(String id, String encryptedContent, List<String> summary) implements ContentBlock {
        public EncryptedReasoning {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(encryptedContent, "encryptedContent");
            summary = List.copyOf(summary);
        }
    }

    /** The assistant declining to answer (OpenAI {@code refusal}). */
    record Refusal(String text) implements ContentBlock {
        public Refusal {
            Objects.requireNonNull(text, "text");
        }
    }
}
