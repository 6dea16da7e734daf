package dev.rosetta.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rosetta.dialect.Codec;
import dev.rosetta.dialect.Dialect;
import dev.rosetta.dialect.ResponseContext;
import dev.rosetta.dialect.StreamDecoder;
import dev.rosetta.model.ChatResponse;
import dev.rosetta.model.stream.StreamEvent;
import dev.rosetta.pipeline.AnswerTap;
import dev.rosetta.pipeline.CompletionListener;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Keeps one request's answer for the cache while it passes, and stores it when the request has ended
 * well: status 200, no outcome (nothing cut it: no upstream break, no timeout, no client gone), a
 * stream that reached its normal end, usage reported. Errors, partial or cancelled streams and
 * answers cut by the gateway are never stored.
 *
 * <p>A converted answer arrives decoded ({@link #answer}, {@link #events}: assembled as it streams).
 * A relayed one (same dialect, the mock) arrives as the bytes the client got, kept up to the entry
 * cap, and is decoded only once the client has the whole answer, in the completion hook: the relay's
 * hot path only copies bytes.
 */
final class Filler implements AnswerTap, CompletionListener {

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private final Dialect dialect;
    private final boolean stream;
    private final boolean jsonArray;
    private final int turnIndex;
    private final long maxBytes;
    private final Consumer<Optional<ChatResponse>> done;
    private ChatResponse answer;
    private Assembler assembler;
    private Buffer raw;
    private boolean tooLarge;

    /**
     * @param jsonArray a Gemini stream without {@code alt=sse}: one JSON array
     * @param turnIndex the answer's index among the turns (Gemini call ids are synthesized from it)
     * @param done told the answer to store, or empty, once the request has ended
     */
    Filler(Dialect dialect, boolean stream, boolean jsonArray, int turnIndex, long maxBytes,
           Consumer<Optional<ChatResponse>> done) {
        this.dialect = dialect;
        this.stream = stream;
        this.jsonArray = jsonArray;
        this.turnIndex = turnIndex;
        this.maxBytes = maxBytes;
        this.done = done;
    }

    @Override
    public void answer(ChatResponse response) {
        answer = response;
    }

    @Override
    public void events(List<StreamEvent> events) {
        if (assembler == null) {
            assembler = new Assembler(maxBytes / 2);
        }
        for (StreamEvent e : events) {
            assembler.onEvent(e);
        }
    }

    @Override
    public void relayed(Buffer chunk) {
        if (tooLarge) {
            return;
        }
        if (raw == null) {
            raw = Buffer.buffer(Math.max(256, chunk.length()));
        }
        if (raw.length() + chunk.length() > maxBytes) {
            tooLarge = true;
            raw = null;
            return;
        }
        raw.appendBuffer(chunk);
    }

    @Override
    public void completed(Exchange ex) {
        Optional<ChatResponse> kept = Optional.empty();
        if (ex.status() == 200 && ex.outcome().isEmpty() && !tooLarge) {
            try {
                kept = result(ex).filter(r -> r.usage().total() > 0);
            } catch (RuntimeException e) {
                kept = Optional.empty(); // an answer the gateway cannot read back is simply not cached
            }
        }
        done.accept(kept);
    }

    private Optional<ChatResponse> result(Exchange ex) {
        if (answer != null) {
            return Optional.of(answer);
        }
        if (assembler != null) {
            return assembler.answer();
        }
        if (raw == null) {
            return Optional.empty();
        }
        ResponseContext context = new ResponseContext(System.currentTimeMillis() / 1000, ex.requestId(), turnIndex);
        if (!stream) {
            return Optional.of(Codec.of(dialect).decodeResponse(raw.getBytes(), context));
        }
        Assembler a = new Assembler(maxBytes);
        StreamDecoder decoder = StreamDecoder.of(dialect, context);
        if (jsonArray) {
            if (!elements(raw.getBytes(), e -> decoder.onEvent(e).forEach(a::onEvent))) {
                return Optional.empty();
            }
        } else {
            SseParser parser = new SseParser((int) Math.min(Integer.MAX_VALUE, maxBytes),
                    e -> decoder.onEvent(e).forEach(a::onEvent));
            parser.feed(raw);
            parser.finish();
        }
        decoder.finish().forEach(a::onEvent);
        return a.answer();
    }

    /** Each element of a Gemini JSON-array stream, as the data of one event; false if it is no array. */
    private static boolean elements(byte[] bytes, Consumer<SseEvent> sink) {
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return false;
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                sink.accept(SseEvent.of(MAPPER.readTree(p).toString()));
            }
            return p.currentToken() == JsonToken.END_ARRAY;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
