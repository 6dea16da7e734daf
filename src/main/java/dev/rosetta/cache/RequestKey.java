package dev.rosetta.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Extensions;
import dev.rosetta.model.GenerationSettings;
import dev.rosetta.model.Json;
import dev.rosetta.model.MediaSource;
import dev.rosetta.model.Reasoning;
import dev.rosetta.model.ResponseFormat;
import dev.rosetta.model.ToolChoice;
import dev.rosetta.model.ToolDefinition;
import dev.rosetta.model.Turn;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The digest of what a request means: SHA-256 over a canonical encoding of the neutral request, so
 * that the same conversation asked of the same target in any dialect has one key.
 *
 * <p>In the key: the target, the system prompt, the turns (consecutive same-role turns merged, as
 * Anthropic and Gemini require anyway), tools, tool choice, response format, sampling and length
 * settings, reasoning, and the dialect-only fields that change the answer (logprobs, logit bias,
 * verbosity, Responses {@code previous_response_id}, {@code include}, truncation, reasoning summary,
 * Gemini safety settings and cached content). Left out: the stream flag and {@code include_usage},
 * {@code user}, metadata, service tier, {@code store}, prompt-cache hints ({@code cache_control},
 * {@code prompt_cache_key}), safety identifiers, and provider-bound signatures on echoed history (a
 * Gemini {@code thoughtSignature}, a thinking signature) that dialects without a field for them cannot
 * send. Defaults written out equal defaults left out: {@code tool_choice: auto}, parallel tool calls
 * on, a {@code text} response format, a tool that is not {@code strict}. Numbers are compared by value ({@code 1} = {@code 1.0}); tool
 * call arguments and JSON schemas by their JSON value, not their spacing.
 *
 * <p>Each value is written with a tag and a length, so no two different requests encode alike.
 * Pure and thread-safe.
 */
public final class RequestKey {

    private static final JsonFactory JSON = new JsonFactory();

    /** The canonical encoding, hashed once at the end: one digest call, not one per field. */
    private byte[] buf = new byte[1024];
    private int len;

    private RequestKey() {
    }

    /** The key of {@code request} asked of {@code target} (the resolved model and provider), in hex. */
    public static String of(String target, ChatRequest request) {
        RequestKey k = new RequestKey();
        k.str(target);
        k.request(request);
        MessageDigest digest = SHA256.get();
        digest.update(k.buf, 0, k.len);
        return HexFormat.of().formatHex(digest.digest());
    }

    /** One digest per thread (event loops): looking one up costs as much as hashing a small request. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private void request(ChatRequest r) {
        tag('S');
        count(r.system().size());
        r.system().forEach(t -> str(t.text()));
        List<Turn> turns = r.mergedTurns();
        tag('T');
        count(turns.size());
        for (Turn t : turns) {
            str(t.role().name());
            count(t.content().size());
            t.content().forEach(this::block);
        }
        tag('F');
        count(r.tools().size());
        for (ToolDefinition d : r.tools()) {
            str(d.name());
            opt(d.description());
            tag('p');
            if (d.parameters().isPresent()) {
                json(d.parameters().get());
            } else {
                tag('-');
            }
            bool(d.strict().orElse(false));
        }
        tag('C');
        switch (r.toolChoice().orElse(new ToolChoice.Auto())) {
            case ToolChoice.Auto a -> tag('a');
            case ToolChoice.None n -> tag('n');
            case ToolChoice.Required q -> tag('r');
            case ToolChoice.Tool t -> {
                tag('t');
                str(t.name());
            }
        }
        tag('P');
        bool(r.parallelToolCalls().orElse(true));
        generation(r.generation());
        tag('R');
        if (r.reasoning().isPresent()) {
            Reasoning re = r.reasoning().get();
            opt(re.effort().map(e -> e.wireName()));
            opt(re.budgetTokens().map(String::valueOf));
            optBool(re.includeThoughts());
        } else {
            tag('-');
        }
        extensions(r.extensions());
    }

    private void generation(GenerationSettings g) {
        tag('G');
        opt(g.maxTokens().map(String::valueOf));
        opt(g.temperature().map(RequestKey::number));
        opt(g.topP().map(RequestKey::number));
        opt(g.topK().map(String::valueOf));
        count(g.stopSequences().size());
        g.stopSequences().forEach(this::str);
        opt(g.seed().map(String::valueOf));
        opt(g.n().filter(n -> n != 1).map(String::valueOf));
        opt(g.presencePenalty().map(RequestKey::number));
        opt(g.frequencyPenalty().map(RequestKey::number));
        tag('f');
        switch (g.responseFormat().orElse(new ResponseFormat.Text())) {
            case ResponseFormat.Text t -> tag('t');
            case ResponseFormat.JsonObject o -> tag('o');
            case ResponseFormat.JsonSchema s -> {
                tag('s');
                str(s.name());
                opt(s.description());
                json(s.schema());
                optBool(s.strict());
            }
        }
    }

    /**
     * The dialect-only fields that change the answer. An absent extension writes as one whose fields are
     * all unset, so a dialect that always fills its slot (Responses) keys like one that never does.
     */
    private void extensions(Extensions e) {
        tag('X');
        Extensions.OpenAiChat c = e.openAiChat().orElse(NO_CHAT);
        optBool(c.logprobs());
        opt(c.topLogprobs().map(String::valueOf));
        optJson(c.logitBias());
        opt(c.verbosity());
        Extensions.Responses r = e.responses().orElse(NO_RESPONSES);
        opt(r.previousResponseId());
        count(r.include().size());
        r.include().stream().sorted().forEach(this::str);
        opt(r.truncation().filter(t -> !t.equals("disabled")));
        opt(r.reasoningSummary());
        count(r.toolForms().size());
        r.toolForms().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(f -> {
            str(f.getKey());
            str(f.getValue().name());
            opt(f.getValue().namespace());
            bool(f.getValue().freeform());
        });
        Extensions.Gemini g = e.gemini().orElse(NO_GEMINI);
        optJson(g.safetySettings());
        opt(g.cachedContent());
    }

    private static final Extensions.OpenAiChat NO_CHAT = new Extensions.OpenAiChat(Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    private static final Extensions.Responses NO_RESPONSES = new Extensions.Responses(Optional.empty(), Optional.empty(),
            List.of(), Optional.empty(), Optional.empty(), Optional.empty());
    private static final Extensions.Gemini NO_GEMINI = new Extensions.Gemini(Optional.empty(), Optional.empty());

    private void optJson(Optional<Json> j) {
        if (j.isPresent()) {
            json(j.get());
        } else {
            tag('-');
        }
    }

    private void block(ContentBlock b) {
        switch (b) {
            case ContentBlock.Text t -> {
                tag('t');
                str(t.text());
            }
            case ContentBlock.Image i -> {
                tag('i');
                source(i.source());
                opt(i.detail());
            }
            case ContentBlock.Document d -> {
                tag('d');
                source(d.source());
                opt(d.title());
            }
            case ContentBlock.Audio a -> {
                tag('a');
                str(a.data());
                str(a.format());
            }
            case ContentBlock.ToolCall c -> {
                tag('c');
                str(c.id());
                str(c.name());
                str(canonicalJson(c.arguments()));
            }
            case ContentBlock.ToolResult r -> {
                tag('r');
                str(r.toolCallId());
                bool(r.isError());
                count(r.content().size());
                r.content().forEach(this::block);
            }
            case ContentBlock.Thinking t -> {
                tag('k');
                str(t.text());
            }
            case ContentBlock.RedactedThinking r -> {
                tag('K');
                str(r.data());
            }
            case ContentBlock.EncryptedReasoning r -> {
                tag('e');
                str(r.id());
                str(r.encryptedContent());
            }
            case ContentBlock.Refusal r -> {
                tag('x');
                str(r.text());
            }
        }
    }

    private void source(MediaSource s) {
        switch (s) {
            case MediaSource.Base64 b -> {
                tag('b');
                str(b.mediaType());
                str(b.data());
            }
            case MediaSource.Url u -> {
                tag('u');
                str(u.url());
            }
            case MediaSource.FileId f -> {
                tag('f');
                str(f.fileId());
            }
            case MediaSource.PlainText p -> {
                tag('p');
                str(p.text());
            }
        }
    }

    private void json(Json j) {
        switch (j) {
            case Json.Null n -> tag('0');
            case Json.Bool b -> bool(b.value());
            case Json.Num n -> {
                tag('#');
                str(n.value().stripTrailingZeros().toPlainString());
            }
            case Json.Str s -> {
                tag('"');
                str(s.value());
            }
            case Json.Arr a -> {
                tag('[');
                count(a.items().size());
                a.items().forEach(this::json);
            }
            case Json.Obj o -> {
                tag('{');
                count(o.fields().size());
                o.fields().forEach((k, v) -> {
                    str(k);
                    json(v);
                });
            }
        }
    }

    private static String number(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /**
     * Tool call arguments as compact JSON with numbers by value, so that {@code {"a": 1}} from one
     * dialect's string equals {@code {"a":1}} re-serialised from another's object; text that is not
     * JSON (a call cut short) stays as it is.
     */
    static String canonicalJson(String text) {
        if (text.isEmpty()) {
            return "{}";
        }
        try (JsonParser p = JSON.createParser(text)) {
            StringWriter w = new StringWriter(text.length());
            try (JsonGenerator g = JSON.createGenerator(w)) {
                for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                    switch (t) {
                        case START_OBJECT -> g.writeStartObject();
                        case END_OBJECT -> g.writeEndObject();
                        case START_ARRAY -> g.writeStartArray();
                        case END_ARRAY -> g.writeEndArray();
                        case FIELD_NAME -> g.writeFieldName(p.currentName());
                        case VALUE_STRING -> g.writeString(p.getText());
                        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                                g.writeNumber(p.getDecimalValue().stripTrailingZeros().toPlainString());
                        case VALUE_TRUE -> g.writeBoolean(true);
                        case VALUE_FALSE -> g.writeBoolean(false);
                        case VALUE_NULL -> g.writeNull();
                        default -> {
                        }
                    }
                }
            }
            return w.toString();
        } catch (IOException | RuntimeException e) {
            return text;
        }
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private void tag(char c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    private void count(int n) {
        ensure(4);
        buf[len++] = (byte) (n >>> 24);
        buf[len++] = (byte) (n >>> 16);
        buf[len++] = (byte) (n >>> 8);
        buf[len++] = (byte) n;
    }

    private void str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        tag('s');
        count(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void opt(Optional<String> s) {
        if (s.isPresent()) {
            str(s.get());
        } else {
            tag('-');
        }
    }

    private void optBool(Optional<Boolean> b) {
        if (b.isPresent()) {
            bool(b.get());
        } else {
            tag('-');
        }
    }

    private void bool(boolean b) {
        tag(b ? 'Y' : 'N');
    }
}
