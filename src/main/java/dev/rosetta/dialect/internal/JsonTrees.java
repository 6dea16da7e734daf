package dev.rosetta.dialect.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.model.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Jackson on one side, {@link Json} on the other; the only place the two meet. */
public final class JsonTrees {
    // The request limits of the gateway's own factory: without them Jackson's defaults (20 MB strings)
    // refused a base64 image well inside the body limit.
    private static final JsonMapper MAPPER = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(dev.rosetta.pipeline.Json.FACTORY.streamReadConstraints()).build())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private JsonTrees() {
    }

    static JsonNode readTree(byte[] json) {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || root.isMissingNode()) {
                throw JsonIn.invalid("empty body", "$");
            }
            return root;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw JsonIn.invalid("request JSON exceeds a limit: " + e.getOriginalMessage(), "$");
        } catch (JacksonException e) {
            String detail = e.getOriginalMessage();
            throw JsonIn.invalid("malformed JSON (" + detail + ")", "$");
        } catch (IOException e) {
            throw JsonIn.invalid("unreadable body", "$");
        }
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    public static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JacksonException e) {
            throw GatewayError.of(ErrorKind.INTERNAL, "could not write JSON: " + e.getOriginalMessage()).toException();
        }
    }

    public static String writeString(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JacksonException e) {
            throw GatewayError.of(ErrorKind.INTERNAL, "could not write JSON: " + e.getOriginalMessage()).toException();
        }
    }

    /** A JSON text parsed, or empty when it is not valid JSON. */
    public static Optional<JsonNode> tryParse(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            return n == null || n.isMissingNode() ? Optional.empty() : Optional.of(n);
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    public static Json toJson(JsonNode node) {
        return switch (node.getNodeType()) {
            case NULL, MISSING, POJO, BINARY -> Json.NULL;
            case BOOLEAN -> new Json.Bool(node.booleanValue());
            case NUMBER -> new Json.Num(node.isIntegralNumber()
                    ? new BigDecimal(node.bigIntegerValue()) : node.decimalValue());
            case STRING -> new Json.Str(node.textValue());
            case ARRAY -> {
                List<Json> items = new ArrayList<>(node.size());
                node.forEach(n -> items.add(toJson(n)));
                yield new Json.Arr(items);
            }
            case OBJECT -> {
                Map<String, Json> fields = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = node.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    fields.put(e.getKey(), toJson(e.getValue()));
                }
                yield new Json.Obj(fields);
            }
        };
    }

    public static JsonNode toNode(Json json) {
        return switch (json) {
            case Json.Null n -> NODES.nullNode();
            case Json.Bool b -> NODES.booleanNode(b.value());
            case Json.Num n -> number(n.value());
            case Json.Str s -> NODES.textNode(s.value());
            case Json.Arr a -> {
                ArrayNode arr = NODES.arrayNode();
                a.items().forEach(i -> arr.add(toNode(i)));
                yield arr;
            }
            case Json.Obj o -> {
                ObjectNode obj = NODES.objectNode();
                o.fields().forEach((k, v) -> obj.set(k, toNode(v)));
                yield obj;
            }
        };
    }

    private static JsonNode number(BigDecimal value) {
        if (value.scale() <= 0) {
            BigInteger big = value.toBigIntegerExact();
            return big.bitLength() < 64 ? NODES.numberNode(big.longValue()) : NODES.numberNode(big);
        }
        return NODES.numberNode(value);
    }

    public static String writeString(Json json) {
        return writeString(toNode(json));
    }

    /** A JSON text parsed into the model's value type, or empty when it is not valid JSON. */
    public static Optional<Json> parseJson(String text) {
        return tryParse(text).map(JsonTrees::toJson);
    }
}
