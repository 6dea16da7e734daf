package dev.rosetta.dialect;

import dev.rosetta.dialect.anthropic.AnthropicStreamDecoder;
import dev.rosetta.dialect.gemini.GeminiStreamDecoder;
import dev.rosetta.dialect.openai.ChatStreamDecoder;
import dev.rosetta.dialect.responses.ResponsesStreamDecoder;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.sse.SseEvent;
import java.util.List;

/**
 * Turns one upstream dialect's server-sent events into neutral {@link StreamEvent}s, one stream per
 * instance.
 *
 * <p>Contract: feed every event the {@link dev.rosetta.sse.SseParser} dispatches to
 * {@link #onEvent}, in order, then call {@link #finish()} once at end of input. Together the outputs
 * form a well-formed neutral stream: {@code MessageStart} first; blocks numbered from 0 that never
 * overlap (each {@code BlockStart} comes after the previous block's {@code BlockStop}); then
 * {@code UsageUpdate}, {@code Finish}, {@code MessageStop}, or instead a single {@code Error} at any
 * point. After the terminal event the decoder ignores further input and {@code finish()} returns
 * nothing. Input that ends without the dialect's terminal frame yields an {@code Error}.
 *
 * <p>Never throws on bad input: a malformed or unexpected upstream event becomes an {@code Error}
 * event. Pure: no I/O, no clock. Not thread-safe; one stream stays on one Vert.x context.
 */
public interface StreamDecoder {

    List<StreamEvent> onEvent(SseEvent event);

    /** End of upstream input: the events that close the stream, or an {@code Error} if it was cut short. */
    List<StreamEvent> finish();

    /**
     * A decoder for an upstream of {@code dialect}. {@code context} supplies what chunks lack: the
     * creation time (Anthropic, Gemini), a fallback id, and the turn index from which Gemini call ids
     * are synthesized exactly as the non-streaming codec does.
     */
    static StreamDecoder of(Dialect dialect, ResponseContext context) {
        return switch (dialect) {
            case OPENAI_CHAT -> new ChatStreamDecoder(context);
            case OPENAI_RESPONSES -> new ResponsesStreamDecoder(context);
            case ANTHROPIC -> new AnthropicStreamDecoder(context);
            case GEMINI -> new GeminiStreamDecoder(context);
        };
    }
}
