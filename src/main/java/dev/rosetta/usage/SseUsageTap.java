package dev.rosetta.usage;

import dev.rosetta.model.Usage;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rosetta.dialect.ProviderType;
import dev.rosetta.pipeline.Json;
import dev.rosetta.sse.SseEvent;
import dev.rosetta.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Usage from an SSE stream: events are parsed as they pass and only those that can carry usage
 * ({@code usage} / {@code usageMetadata}) are read as JSON.
 */
public final class SseUsageTap implements UsageTap {

    /** Events larger than this are passed on but not read for usage. */
    private static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

    private final ProviderType format;
    private final UsageScanner scanner = new UsageScanner();
    private final SseParser parser = new SseParser(MAX_EVENT_BYTES, this::onEvent);
    private SseParser.Status status = SseParser.Status.OK;
    private long fed;

    public SseUsageTap(ProviderType format) {
        this.format = format;
    }

    @Override
    public void feed(Buffer chunk) {
        fed += chunk.length();
        if (status == SseParser.Status.OK) {
            status = parser.feed(chunk);
        }
    }

    @Override
    public Usage finish() {
        parser.finish();
        return scanner.usage(format);
    }

    /**
     * The offset just past the last complete event of the bytes fed so far; once the stream is not
     * parsed any more (an event over the limit), everything fed.
     */
    public long boundary() {
        return status == SseParser.Status.OK ? parser.boundary() : fed;
    }

    private void onEvent(SseEvent event) {
        String data = event.data();
        if (data.indexOf("sage") < 0) {
            return;
        }
        scanner.reset();
        try (JsonParser p = Json.FACTORY.createParser(data)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                scanner.accept(t, p);
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON (for example OpenAI's [DONE]): nothing to count.
        }
    }
}
