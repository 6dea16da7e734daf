package dev.rosetta.model;

/**
 * Who speaks a turn. The system prompt is not a turn (see {@link ChatRequest#system()}); tool
 * results travel as {@link ContentBlock.ToolResult} blocks inside {@link #USER} turns, which is
 * where Anthropic and Gemini put them.
 */
public enum Role {
    USER,
    ASSISTANT
}
