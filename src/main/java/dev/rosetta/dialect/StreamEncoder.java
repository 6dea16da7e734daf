package dev.rosetta.dialect;

import dev.rosetta.dialect.anthropic.AnthropicStreamEncoder;
import dev.rosetta.dialect.gemini.GeminiStreamEncoder;
import dev.rosetta.dialect.openai.ChatReasoning;
import dev.rosetta.dialect.openai.ChatStreamEncoder;
import dev.rosetta.dialect.responses.ResponsesStreamEncoder;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.model.Extensions;
import java.util.List;
import java.util.Map;

/**
 * Renders neutral {@link StreamEvent}s as one client dialect's streamed body, one stream per
 * instance. Each returned array is one complete frame (an SSE event, or a piece of Gemini's JSON
 * array), to be written and flushed in order.
 *
 * <p>Contract: the output is always a well-formed stream of the client's dialect, whatever the input
 * order: the opening frames are sent once (synthesized if content comes before {@code MessageStart}),
 * blocks are closed before others open where the dialect requires it, and the terminal frames (the
 * normal end, or the dialect's error frame) are sent exactly once, after which all input is ignored.
 * A {@code Finish} before the last {@code BlockStop}, usage after {@code Finish}, or a
 * {@code MessageStop} without {@code Finish} are all accepted. {@link #finish()} at end of input
 * without a terminal event ends the client stream with an error frame.
 *
 * <p>What the dialect cannot carry (redacted thinking for Chat clients, images in an answer, ...) is left out
 * and counted by {@link #dropped()}. Never throws on any input order. Pure: no I/O, no clock. Not
 * thread-safe.
 */
public interface StreamEncoder {

    List<byte[]> onEvent(StreamEvent event);

    /** End of input: the terminal frames if not yet sent (an error frame, since no terminal event came). */
    List<byte[]> finish();

    /** How many blocks or fields were left out because the client dialect has no place for them. */
    long dropped();

    /**
     * @param includeUsage Chat Completions: the client asked {@code stream_options.include_usage}
     * @param jsonArray Gemini: the client did not ask {@code alt=sse}, so the body is one JSON array
     * @param promptEstimate the gateway's estimate of the request's prompt tokens, 0 for none. Anthropic and
     *                       Gemini streams report the prompt count from their first event; when the
     *                       upstream has not said it by then ({@code MessageStart} with no input usage, as
     *                       from Chat Completions and Responses), they show this instead, until the
     *                       upstream's exact figure replaces it at the end
     * @param toolForms Responses: how the client declared the tools the neutral request holds as functions
     *                  ({@link dev.rosetta.dialect.responses.ResponsesCodec#toolForms})
     * @param chatReasoning Chat Completions: whether and where the client is shown reasoning
     */
    record Options(boolean includeUsage, boolean jsonArray, long promptEstimate,
                   Map<String, Extensions.ToolForm> toolForms, ChatReasoning chatReasoning) {
        public static final Options DEFAULT = new Options(false, false);

        public Options {
            toolForms = Map.copyOf(toolForms);
        }

        public Options(boolean includeUsage, boolean jsonArray) {
            this(includeUsage, jsonArray, 0, Map.of(), ChatReasoning.NONE);
        }
    }

    static StreamEncoder of(Dialect dialect, Options options) {
        return switch (dialect) {
            case OPENAI_CHAT -> new ChatStreamEncoder(options.includeUsage(), options.chatReasoning());
            case OPENAI_RESPONSES -> new ResponsesStreamEncoder(options.toolForms());
            case ANTHROPIC -> new AnthropicStreamEncoder(options.promptEstimate());
            case GEMINI -> new GeminiStreamEncoder(options.jsonArray(), options.promptEstimate());
        };
    }
}
