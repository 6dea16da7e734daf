package dev.rosetta.upstream.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.config.Compat;
import dev.rosetta.model.ChatRequest;
import dev.rosetta.model.ContentBlock;
import dev.rosetta.model.Role;
import dev.rosetta.model.Turn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Chat Completions body as an OpenAI-compatible server takes it ({@code compat:} presets), relayed or
 * converted alike. What each preset changes, from the servers' documentation and their users' issues:
 * <ul>
 * <li>{@code developer} messages become {@code system} (none of these servers knows the role);</li>
 * <li>{@code max_completion_tokens} becomes {@code max_tokens} where only that is read (all but groq and vllm);</li>
 * <li>{@code stream_options} is left out where it is refused (mistral, together, fireworks);</li>
 * <li>groq: {@code logprobs}, {@code logit_bias}, {@code top_logprobs}, {@code messages[].name} and an
 *     {@code n} other than 1 are left out (each is a 400 there);</li>
 * <li>mistral: tool-call ids become 9 letters and digits (its rule), the same id always the same way so a
 *     call and its result still pair; fields its API forbids are left out; {@code seed} is {@code random_seed};</li>
 * <li>xai: the grok-4 and grok-3-mini reasoning models refuse {@code presence_penalty},
 *     {@code frequency_penalty} and {@code stop}, grok-4 also {@code reasoning_effort};</li>
 * <li>deepseek: the thinking of earlier assistant turns goes back as {@code reasoning_content}
 *     ({@link #withReasoning}), which its thinking mode requires with tool calls.</li>
 * </ul>
 * OpenRouter's SSE comment lines ({@code : OPENROUTER PROCESSING}) need nothing here: the SSE reader
 * skips comments as the SSE standard says.
 */
public final class CompatBodies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern MISTRAL_ID = Pattern.compile("[a-zA-Z0-9]{9}");
    private static final char[] ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final Set<Compat> MAX_TOKENS = EnumSet.complementOf(EnumSet.of(Compat.GROQ, Compat.VLLM));
    private static final Set<Compat> NO_STREAM_OPTIONS = EnumSet.of(Compat.MISTRAL, Compat.TOGETHER, Compat.FIREWORKS);
    private static final List<String> GROQ_REFUSED = List.of("logprobs", "logit_bias", "top_logprobs");
    private static final List<String> MISTRAL_REFUSED = List.of("store", "metadata", "service_tier", "user", "logprobs",
            "top_logprobs", "logit_bias", "modalities", "audio", "prediction", "reasoning_effort", "verbosity",
            "prompt_cache_key", "safety_identifier", "web_search_options");

    private CompatBodies() {
    }

    public static byte[] adapt(Compat compat, byte[] body) {
        ObjectNode root;
        try {
            if (!(JSON.readTree(body) instanceof ObjectNode o)) {
                return body;
            }
            root = o;
        } catch (IOException e) {
            return body; // the server says what is wrong with it
        }
        adapt(compat, root);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void adapt(Compat compat, ObjectNode root) {
        String model = root.path("model").asText("");
        for (JsonNode m : root.path("messages")) {
            if (m instanceof ObjectNode msg) {
                if ("developer".equals(msg.path("role").asText())) {
                    msg.put("role", "system");
                }
                if (compat == Compat.GROQ) {
                    msg.remove("name");
                }
                if (compat == Compat.MISTRAL) {
                    mistralIds(msg);
                }
            }
        }
        if (MAX_TOKENS.contains(compat) && root.has("max_completion_tokens")) {
            JsonNode max = root.remove("max_completion_tokens");
            if (!root.has("max_tokens")) {
                root.set("max_tokens", max);
            }
        }
        if (NO_STREAM_OPTIONS.contains(compat)) {
            root.remove("stream_options");
        }
        switch (compat) {
            case GROQ -> {
                root.remove(GROQ_REFUSED);
                if (root.has("n") && root.path("n").asInt(1) != 1) {
                    root.remove("n");
                }
            }
            case MISTRAL -> {
                root.remove(MISTRAL_REFUSED);
                if (root.has("seed")) {
                    root.set("random_seed", root.remove("seed"));
                }
            }
            case XAI -> {
                if (model.startsWith("grok-4") || model.startsWith("grok-3-mini")) {
                    root.remove(List.of("presence_penalty", "frequency_penalty", "stop"));
                }
                if (model.startsWith("grok-4")) {
                    root.remove("reasoning_effort");
                }
            }
            default -> {
            }
        }
    }

    private static void mistralIds(ObjectNode msg) {
        if (msg.has("tool_call_id")) {
            msg.put("tool_call_id", mistralId(msg.path("tool_call_id").asText()));
        }
        for (JsonNode c : msg.path("tool_calls")) {
            if (c instanceof ObjectNode call && call.has("id")) {
                call.put("id", mistralId(call.path("id").asText()));
            }
        }
    }

    /**
     * An id as Mistral takes it: one of its own is kept; any other becomes 9 letters and digits derived
     * from it (SHA-256), so the same id maps the same way in every request of a conversation.
     */
    public static String mistralId(String id) {
        if (MISTRAL_ID.matcher(id).matches()) {
            return id;
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            char[] out = new char[9];
            for (int i = 0; i < 9; i++) {
                out[i] = ALPHANUMERIC[(h[i] & 0xff) % ALPHANUMERIC.length];
            }
            return new String(out);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The encoded body with each assistant turn's thinking as its message's {@code reasoning_content}
     * (one assistant message per assistant turn, in order).
     */
    public static byte[] withReasoning(ChatRequest request, byte[] body) {
        List<String> reasoning = request.turns().stream().filter(t -> t.role() == Role.ASSISTANT)
                .map(CompatBodies::thinking).toList();
        if (reasoning.stream().allMatch(String::isEmpty)) {
            return body;
        }
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(body);
            int i = 0;
            for (JsonNode m : root.path("messages")) {
                if ("assistant".equals(m.path("role").asText()) && i < reasoning.size()) {
                    String r = reasoning.get(i++);
                    if (!r.isEmpty()) {
                        ((ObjectNode) m).put("reasoning_content", r);
                    }
                }
            }
            return JSON.writeValueAsBytes(root);
        } catch (IOException | ClassCastException e) {
            return body;
        }
    }

    private static String thinking(Turn t) {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : t.content()) {
            if (b instanceof ContentBlock.Thinking th) {
                sb.append(th.text());
            }
        }
        return sb.toString();
    }
}
