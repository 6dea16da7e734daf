package dev.rosetta.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.config.LimitsReader;
import dev.rosetta.auth.ApiKey;
import dev.rosetta.auth.ModelPatterns;
import dev.rosetta.auth.Tenant;
import dev.rosetta.store.AuditEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The admin API's JSON: entities out (never a hash, a secret only where the caller asked for one), fields in. */
final class AdminJson {

    static final ObjectMapper JSON = new ObjectMapper();

    private AdminJson() {
    }

    static ObjectNode tenant(Tenant t) {
        ObjectNode o = JSON.createObjectNode().put("name", t.name());
        models(o, t.models());
        o.set("metadata", JSON.valueToTree(t.metadata()));
        o.setAll(LimitsReader.toJson(t.limits()));
        return o.put("disabled", t.disabled()).put("passthrough", t.passthrough())
                .put("source", t.declared() ? "config" : "store");
    }

    static ObjectNode key(ApiKey k) {
        ObjectNode o = JSON.createObjectNode().put("id", k.id()).put("name", k.name()).put("tenant", k.tenant())
                .put("prefix", k.prefix());
        models(o, k.models());
        o.put("created_at", k.createdAt().toString());
        if (k.expiresAt().isPresent()) {
            o.put("expires_at", k.expiresAt().get().toString());
        } else {
            o.putNull("expires_at");
        }
        k.previous().ifPresent(p -> o.put("previous_secret_until", p.until().toString()));
        o.put("disabled", k.disabled());
        o.put("passthrough", k.passthrough());
        o.set("metadata", JSON.valueToTree(k.metadata()));
        o.setAll(LimitsReader.toJson(k.limits()));
        return o.put("source", k.declared() ? "config" : "store");
    }

    static ObjectNode audit(AuditEvent e) {
        ObjectNode o = JSON.createObjectNode().put("id", e.id()).put("at", e.at().toString()).put("actor", e.actor())
                .put("action", e.action()).put("entity_type", e.entityType()).put("entity_id", e.entityId());
        try {
            o.set("detail", JSON.readTree(e.detail()));
        } catch (IOException ex) {
            o.put("detail", e.detail());
        }
        return o;
    }

    static ObjectNode list(List<ObjectNode> items) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode data = o.putArray("data");
        items.forEach(data::add);
        return o;
    }

    private static void models(ObjectNode o, ModelPatterns m) {
        if (m.patterns().isEmpty()) {
            o.putNull("models");
        } else {
            o.set("models", JSON.valueToTree(m.patterns().get()));
        }
    }

    // ---------------------------------------------------------------- input

    static ObjectNode body(byte[] body) {
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(body);
            if (n instanceof ObjectNode o) {
                return o;
            }
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw AdminError.invalid("the body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw AdminError.invalid("the body is not JSON");
        }
        throw AdminError.invalid("the body must be a JSON object");
    }

    static void onlyFields(ObjectNode body, String... allowed) {
        List<String> known = List.of(allowed);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw AdminError.invalid(f + ": unknown field (expected one of " + known + ")");
            }
        }
    }

    static Optional<String> string(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw AdminError.invalid(field + ": expected a string");
        }
        return Optional.of(n.asText());
    }

    static Optional<Boolean> bool(ObjectNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw AdminError.invalid(field + ": expected true or false");
        }
        return Optional.of(n.asBoolean());
    }

    /** Absent: empty; {@code null}: every model; a list: those. */
    static Optional<ModelPatterns> models(ObjectNode body) {
        if (!body.has("models")) {
            return Optional.empty();
        }
        JsonNode n = body.get("models");
        if (n.isNull()) {
            return Optional.of(ModelPatterns.ALL);
        }
        if (!n.isArray()) {
            throw AdminError.invalid("models: expected a list of model names or name* patterns, or null for every model");
        }
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            String s = n.get(i).isTextual() ? n.get(i).asText().trim() : "";
            if (s.isEmpty() || s.indexOf('*') >= 0 && s.indexOf('*') != s.length() - 1) {
                throw AdminError.invalid("models[" + i + "]: expected a model name, or a prefix ending in *");
            }
            out.add(s);
        }
        return Optional.of(ModelPatterns.of(out));
    }

    static Optional<Map<String, String>> metadata(ObjectNode body) {
        JsonNode n = body.get("metadata");
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw AdminError.invalid("metadata: expected an object of names to values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw AdminError.invalid("metadata." + e.getKey() + ": expected a value");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return Optional.of(out);
    }

    /** Absent: empty; {@code null}: never expires (Optional.of(Optional.empty())). */
    static Optional<Optional<Instant>> expiresAt(ObjectNode body) {
        if (!body.has("expires_at")) {
            return Optional.empty();
        }
        JsonNode n = body.get("expires_at");
        if (n.isNull()) {
            return Optional.of(Optional.empty());
        }
        try {
            return Optional.of(Optional.of(Instant.parse(n.asText())));
        } catch (java.time.format.DateTimeParseException e) {
            throw AdminError.invalid("expires_at: expected a UTC time such as 2026-03-01T00:00:00Z, or null");
        }
    }

    static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
