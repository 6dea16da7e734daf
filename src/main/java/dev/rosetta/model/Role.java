package dev.rosetta.model;

/**
 * Who speaks a turn. The system prompt is not a turn (see {@link ChatRequest#system()}); tool
 * results travel as {@link ContentBlock.ToolResult} blocks inside {@link #USER} turns, which is
 * where Anthropic and Gemini put them.
 */
public enum Role {
    USER,
    ASSISTANT,
    /**
     * Instructions given inside the conversation, after it began (an OpenAI system or developer message
     * between turns, an Anthropic mid-conversation {@code system} message); text blocks only. Dialects that
     * keep such messages in place (Chat, Responses) encode them where they stand; the others fold them into
     * the system prompt ({@link ChatRequest#withSystemTurnsInSystem()}).
     */
    SYSTEM
}
