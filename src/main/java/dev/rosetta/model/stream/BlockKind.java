package dev.rosetta.model.stream;

import dev.rosetta.model.ContentBlock;

/** The kind of a streamed block. */
public enum BlockKind {
    TEXT, IMAGE, DOCUMENT, AUDIO, TOOL_CALL, TOOL_RESULT, THINKING, REDACTED_THINKING, ENCRYPTED_REASONING, REFUSAL;

    public static BlockKind of(ContentBlock block) {
        return switch (block) {
            case ContentBlock.Text t -> TEXT;
            case ContentBlock.Image i -> IMAGE;
            case ContentBlock.Document d -> DOCUMENT;
            case ContentBlock.Audio a -> AUDIO;
            case ContentBlock.ToolCall c -> TOOL_CALL;
            case ContentBlock.ToolResult r -> TOOL_RESULT;
            case ContentBlock.Thinking t -> THINKING;
            case ContentBlock.RedactedThinking r -> REDACTED_THINKING;
            case ContentBlock.EncryptedReasoning r -> ENCRYPTED_REASONING;
            case ContentBlock.Refusal r -> REFUSAL;
        };
    }
}
